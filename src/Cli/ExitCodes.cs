namespace Bittensor.Ledger.Cli;

/// <summary>The exit codes of every `ledger` command, in one place (the README's "Exit codes" line says the same).</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and found something wrong (a broken identity, a failed check), or its environment
    /// failed it (the database cannot be reached, a file cannot be written).</summary>
    public const int Failure = 1;

    /// <summary>The input was bad: an unknown command or option, an option value of the wrong kind, a malformed line.</summary>
    public const int BadInput = 2;

    /// <summary><c>ledger db status</c>: the private cluster is not running (as <c>pg_ctl status</c>).</summary>
    public const int NotRunning = 3;

    /// <summary>Interrupted (Ctrl-C), as a shell reports SIGINT.</summary>
    public const int Interrupted = 130;
}
