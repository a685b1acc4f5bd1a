package dev.fathom.autograd;

/**
 * What a recorded op keeps for its backward rule. Keeping less lets memory go early: an add
 * needs neither operand, exp needs only its output, a product only its inputs.
 */
public enum Saves {
    /** Inputs and output. */
    ALL(true, true),
    /** The inputs only. */
    INPUTS(true, false),
    /** The output only. */
    OUTPUT(false, true),
    /** Nothing but shapes and types (add, views, casts). */
    NONE(false, false);

    final boolean inputs, output;

    Saves(boolean inputs, boolean output) {
        this.inputs = inputs;
        this.output = output;
    }
}
