using System.Runtime.CompilerServices;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Domain;

namespace Bittensor.Ledger.Application.Import;

/// <summary>One non-blank line of an NDJSON file: the parsed line (null when it does not parse) and the error that
/// refuses it (a parse or a shape error), if any.</summary>
public readonly record struct NdjsonRecord(long LineNumber, ParsedLine? Line, FieldError? Error);

/// <summary>An NDJSON stream read as the import reads it, without a database: every non-blank line with its 1-based
/// number, judged by the import's own per-line rules (BOM, CRLF, length, UTF-8, JSON, fields, shape) and with repeated
/// identical lines of a block numbered (<see cref="NaturalKeyScope"/>). For tools and tests that check a file.</summary>
public static class NdjsonRecords
{
    public static async IAsyncEnumerable<NdjsonRecord> ReadAsync(Stream input, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var keys = new NaturalKeyScope();
        await foreach (var line in NdjsonLines.ReadAsync(input, ct).ConfigureAwait(false))
        {
            if (NdjsonImporter.IsBlank(line.Utf8))
            {
                continue;
            }

            var judged = NdjsonImporter.Judge(line, keys);
            yield return new NdjsonRecord(line.Number, judged.Parsed, judged.Error);
        }
    }
}
