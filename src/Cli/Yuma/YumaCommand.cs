using Bittensor.Ledger.Domain;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Cli.Yuma;

/// <summary>`ledger yuma`: one Yuma Consensus epoch, JSON in, JSON out, no database (docs/yuma-json.md).</summary>
public static class YumaCommand
{
    public static Command Create()
    {
        var input = new Option<string?>("--input") { Description = "Epoch input JSON file (default: stdin)." };
        var output = new Option<string?>("--output") { Description = "Output JSON file (default: stdout)." };
        var command = new Command("yuma", "Run one Yuma Consensus epoch on a JSON state (bit-exact port of subtensor).") { input, output };
        command.SetAction(parse =>
        {
            using var stdin = Console.OpenStandardInput();
            using var stdout = Console.OpenStandardOutput();
            return Execute(parse.GetValue(input), parse.GetValue(output), stdin, stdout, Console.Error);
        });
        return command;
    }

    /// <summary>Runs the command against explicit streams (used by the CLI and by the end-to-end tests).</summary>
    public static int Execute(string? inputPath, string? outputPath, Stream stdin, Stream stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string source = inputPath ?? "<stdin>";
        byte[] bytes;
        try
        {
            if (inputPath is null)
            {
                using var buffer = new MemoryStream();
                stdin.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            else
            {
                bytes = File.ReadAllBytes(inputPath);
            }
        }
        catch (IOException e)
        {
            stderr.WriteLine($"{source}: cannot read input: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (UnauthorizedAccessException e)
        {
            stderr.WriteLine($"{source}: cannot read input: {e.Message}");
            return ExitCodes.BadInput;
        }

        // A UTF-8 byte order mark is accepted, as the import accepts one; text that is not UTF-8 is named by its line
        // (the JSON reader would throw on it only when it reads that string).
        var text = bytes.AsMemory();
        if (text.Span.StartsWith("\uFEFF"u8))
        {
            text = text[3..];
        }

        if (!Utf8.IsValid(text.Span))
        {
            var chars = new char[text.Length];
            Utf8.ToUtf16(text.Span, chars, out var validBytes, out _, replaceInvalidSequences: false);
            var line = text.Span[..validBytes].Count((byte)'\n') + 1;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{source}:{line}: not valid UTF-8 (byte {validBytes + 1} of the input)"));
            return ExitCodes.BadInput;
        }

        YumaInput parsed;
        try
        {
            // One pass of the streaming reader for a valid input; only when it declines does the document reader run,
            // and that path alone words every error message.
            parsed = YumaJsonReader.TryRead(text.Span) ?? ParseDocument(text);
        }
        catch (JsonException e)
        {
            stderr.WriteLine($"{source}:{(e.LineNumber ?? 0) + 1}: invalid JSON: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (FieldErrorException e)
        {
            // The field is the JSON path of the offending value (docs/yuma-json.md).
            long? line = YumaJson.LineOf(text.Span, e.Error.Field);
            stderr.WriteLine(line is null ? $"{source}: {e.Error}" : $"{source}:{line}: {e.Error}");
            return ExitCodes.BadInput;
        }

        var result = YumaEpoch.Run(parsed);
        if (outputPath is null)
        {
            Write(stdout, result);
        }
        else
        {
            using var file = File.Create(outputPath);
            Write(file, result);
        }

        return ExitCodes.Ok;
    }

    private static YumaInput ParseDocument(ReadOnlyMemory<byte> text)
    {
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = YumaJsonReader.Options.MaxDepth });
        return YumaJson.ParseInput(document.RootElement);
    }

    private static void Write(Stream stream, YumaOutput result)
    {
        using (var writer = new Utf8JsonWriter(stream))
        {
            YumaJson.WriteOutput(writer, result);
        }

        stream.WriteByte((byte)'\n');
        stream.Flush();
    }
}
