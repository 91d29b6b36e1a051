# kt_w_set_stack(top): points this instance's stack pointer at `top`. Each worker's instance of
# the module starts with the stack pointer the linker chose, the main thread's; before any C code
# runs there, the JavaScript side moves it to a stack of the worker's own (C cannot set it).
	.globaltype __stack_pointer, i32
	.globl kt_w_set_stack
	.export_name kt_w_set_stack, kt_w_set_stack
	.type kt_w_set_stack,@function
kt_w_set_stack:
	.functype kt_w_set_stack (i32) -> ()
	local.get 0
	global.set __stack_pointer
	end_function
