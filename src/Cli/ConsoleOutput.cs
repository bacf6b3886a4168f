using Spectre.Console;

namespace Bittensor.Ledger.Cli;

/// <summary>Spectre consoles over a command's output writer. Off a terminal (a file, a pipe, a test) there are no ANSI
/// codes, colours or prompts, and tables get a wide fixed width so SS58 keys and rao amounts are not folded.</summary>
internal static class ConsoleOutput
{
    public static IAnsiConsole For(TextWriter writer)
    {
        var terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Redirected output has no width to detect: keep rows whole rather than wrapped (the widest, explain's
            // per-uid tables, need about 300 columns).
            console.Profile.Width = 400;
        }

        return console;
    }
}
