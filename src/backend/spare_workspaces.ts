/**
 * Workspaces a backward kernel has consumed, kept for the next forward of the same size. A
 * recurrent layer's workspace holds every step's gates and states (12.8 MB for an LSTM(128) over
 * 28 steps, batch 128): allocating one per training step costs more than the zeroing, because V8
 * answers that much new external memory with garbage collections. A training loop makes the same
 * sizes step after step, so a handful of spares serves it; other sizes are left to the collector.
 */
export class SpareWorkspaces {
  private readonly spares: Float32Array[] = [];

  constructor(private readonly capacity = 4) {}

  /** A spare of exactly `length` elements (contents unspecified), or undefined. */
  take(length: number): Float32Array | undefined {
    // The most recently consumed first: the likeliest to be still in cache.
    for (let i = this.spares.length - 1; i >= 0; i--) if (this.spares[i].length === length) return this.spares.splice(i, 1)[0];
    return undefined;
  }

  /** Keeps a workspace nothing reads any more; the oldest spare makes room when full. */
  give(workspace: Float32Array): void {
    if (this.spares.includes(workspace)) return;
    if (this.spares.length === this.capacity) this.spares.shift();
    this.spares.push(workspace);
  }
}
