import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, camelizeConfig, type CallOptions, type LayerArgs, type LayerShape } from "../layer.js";
import { deserializeNestedLayer, serializeNestedLayer } from "../nested_layers.js";
import { DropoutRNNCell, type RNNCell } from "./rnn_cell.js";

function sizesOf(cell: RNNCell): number[] {
  return typeof cell.stateSize === "number" ? [cell.stateSize] : [...cell.stateSize];
}

/**
 * Keras's `StackedRNNCells`: a list of cells run as one, each cell's output the next one's input.
 * Its states are every cell's states in order, as one flat list (`stateSize` lists them all).
 */
export class StackedRNNCells extends Layer implements RNNCell {
  static override className = "StackedRNNCells";
  readonly cells: RNNCell[];

  constructor(cells: RNNCell[], args: LayerArgs = {}) {
    super(args);
    if (!Array.isArray(cells) || cells.length === 0) throw new Error(`StackedRNNCells '${this.name}': expected a non-empty list of cells`);
    cells.forEach((cell, i) => {
      if (!(cell instanceof Layer) || !("stateSize" in cell)) {
        throw new TypeError(`StackedRNNCells '${this.name}': all cells must be layers with a \`stateSize\`; cell ${i} is ${String(cell)}`);
      }
    });
    this.cells = [...cells];
  }

  get stateSize(): number[] {
    return this.cells.flatMap(sizesOf);
  }

  get outputSize(): number {
    const last = this.cells[this.cells.length - 1];
    return last.outputSize ?? sizesOf(last)[0];
  }

  /** Where the last cell's states start in the flat state list (its first is the previous output). */
  lastCellStateOffset(): number {
    return this.cells.slice(0, -1).reduce((n, c) => n + sizesOf(c).length, 0);
  }

  getInitialState(batchSize: number): Tensor[] {
    return this.cells.flatMap((cell) => cell.getInitialState?.(batchSize) ?? sizesOf(cell).map((d) => ops.zeros([batchSize, d])));
  }

  override build(inputShape: LayerShape): void {
    let shape = inputShape as SymbolicShape;
    for (const cell of this.cells) {
      if (!cell.built) cell.maybeBuild(shape);
      shape = [shape[0], cell.outputSize ?? sizesOf(cell)[0]];
    }
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor[] {
    const [x, ...states] = inputs as Tensor[];
    let input = x;
    let at = 0;
    const next: Tensor[] = [];
    for (const cell of this.cells) {
      const count = sizesOf(cell).length;
      const [output, ...newStates] = cell.call([input, ...states.slice(at, at + count)], { training: options.training }) as Tensor[];
      at += count;
      input = output;
      next.push(...newStates);
    }
    return [input, ...next];
  }

  resetDropoutMasks(): void {
    for (const cell of this.cells) if (cell instanceof DropoutRNNCell) cell.resetDropoutMasks();
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cells: this.cells.map((c) => serializeNestedLayer(c)) };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>, options?: unknown): T {
    const { cells, ...rest } = config;
    if (!Array.isArray(cells)) throw new Error("StackedRNNCells config: 'cells' must be a list");
    return new this(cells.map((c) => deserializeNestedLayer(c, options)), camelizeConfig(rest));
  }
}
