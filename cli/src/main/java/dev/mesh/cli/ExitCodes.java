package dev.mesh.cli;

/** istioctl's exit codes ({@code istioctl/cmd/root.go}, sysexits-style), so that scripts written for it work. */
public final class ExitCodes {

    public static final int OK = 0;
    /** Anything unexpected. */
    public static final int UNKNOWN_ERROR = 1;
    /** Bad flags or arguments (istioctl's CommandParseError). */
    public static final int INCORRECT_USAGE = 64;
    /** An input file could not be parsed (istioctl analyze's FileParseError). */
    public static final int DATA_ERROR = 65;
    /** {@code analyze} found messages at or above the failure threshold. */
    public static final int ANALYZER_FOUND_ISSUES = 79;

    private ExitCodes() {
    }
}
