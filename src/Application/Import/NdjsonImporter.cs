using System.Diagnostics;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain;

namespace Bittensor.Ledger.Application.Import;

/// <summary>The import loop: read lines, parse, and per batch drop lines already in the store, check the rest
/// against shape and Domain rules in order (evolving the state as each is accepted), then append the accepted
/// ones in one transaction. A bad line stops the import before its batch is written, so nothing of that batch is
/// appended; earlier batches stay committed.</summary>
internal sealed class NdjsonImporter(LedgerState state, EventBatchWriter writer, ImportFile command, RejectedLines rejected)
{
    // Identical lines within a block are distinct facts: the codec's scope numbers their keys (#2, #3, ...).
    private readonly NaturalKeyScope _keys = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lines;
    private long _appended;
    private long _present;
    private long _rejected;

    public async Task<ImportSummary> RunAsync(Stream file, CancellationToken ct)
    {
        var batch = new List<Pending>(command.BatchSize);
        await foreach (var line in NdjsonLines.ReadAsync(file, ct).ConfigureAwait(false))
        {
            _lines++;
            if (IsBlank(line.Utf8))
            {
                continue;
            }

            var utf8 = line.Number == 1 && line.Utf8.AsSpan().StartsWith(Bom) ? line.Utf8[Bom.Length..] : line.Utf8;
            batch.Add(NdjsonCodec.TryParse(utf8, out var parsed, out var error)
                ? new Pending(line, _keys.Assign(parsed), null)
                : new Pending(line, null, error));
            if (batch.Count == command.BatchSize)
            {
                if (await FlushAsync(batch, ct).ConfigureAwait(false) is { } stop)
                {
                    return Summary(stop);
                }

                batch.Clear();
            }
        }

        return Summary(await FlushAsync(batch, ct).ConfigureAwait(false));
    }

    private async Task<ImportError?> FlushAsync(List<Pending> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return null;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in batch)
        {
            if (p.Parsed is { } parsed)
            {
                keys.Add(parsed.NaturalKey);
            }
        }

        var existing = await writer.ExistingKeysAsync(keys, ct).ConfigureAwait(false);
        keys.Clear();
        var accepted = new List<KeyedEvent>(batch.Count);
        long present = 0, rejectedHere = 0;
        foreach (var p in batch)
        {
            var (verdict, field, reason) = Judge(p, existing, keys);
            switch (verdict)
            {
                case Verdict.Accepted:
                    accepted.Add(new KeyedEvent(p.Parsed!.Event, p.Parsed.NaturalKey));
                    continue;
                case Verdict.Present:
                    present++;
                    continue;
            }

            if (!command.SkipInvalid)
            {
                return new ImportError(p.Line.Number, field!, reason!);
            }

            rejectedHere++;
            await rejected.WriteAsync(p.Line.Number, field!, reason!, p.Line.Utf8, ct).ConfigureAwait(false);
        }

        await writer.AppendAsync(accepted, ct).ConfigureAwait(false);
        _appended += accepted.Count;
        _present += present;
        _rejected += rejectedHere;
        command.Progress?.Report(Progress());
        return null;
    }

    /// <summary>Accepted lines are applied to the state here, so the next line is checked against them.</summary>
    private (Verdict, string? Field, string? Reason) Judge(Pending p, HashSet<string> existing, HashSet<string> seen)
    {
        if (p.Error is { } parseError)
        {
            return (Verdict.Rejected, parseError.Field, parseError.Reason);
        }

        var parsed = p.Parsed!;
        if (existing.Contains(parsed.NaturalKey) || seen.Contains(parsed.NaturalKey))
        {
            return (Verdict.Present, null, null);
        }

        if (EventShape.Validate(parsed.Event) is { } shape)
        {
            return (Verdict.Rejected, shape.Field, shape.Reason);
        }

        if (!state.TryApply(parsed.Event, out var violation))
        {
            return (Verdict.Rejected, violation!.Field, violation.Reason);
        }

        seen.Add(parsed.NaturalKey);
        return (Verdict.Accepted, null, null);
    }

    private ImportProgress Progress() => new(_lines, _appended, _present, _rejected, _clock.Elapsed);

    private ImportSummary Summary(ImportError? error) =>
        new(_lines, _appended, _present, _rejected, _clock.Elapsed, error, rejected.Any ? rejected.Path : null);

    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    private static bool IsBlank(byte[] line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }

    private enum Verdict
    {
        Accepted,
        Present,
        Rejected,
    }

    private readonly record struct Pending(RawLine Line, ParsedLine? Parsed, FieldError? Error);
}
