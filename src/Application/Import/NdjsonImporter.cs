using System.Diagnostics;
using System.Threading.Channels;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;

namespace Bittensor.Ledger.Application.Import;

/// <summary>
/// The import, as a three-stage pipeline so that parsing, rule checks and the database overlap on two cores:
/// <list type="number">
/// <item>a reader task splits lines, parses them and checks their shape (stateless), in batches;</item>
/// <item>this loop drops lines already in the store, checks the rest against the Domain rules in line order
/// (evolving the state as each is accepted) and hands the accepted ones to</item>
/// <item>one write at a time (<see cref="EventBatchWriter.AppendAsync"/>: one transaction per batch), which runs
/// while the next batch is being checked.</item>
/// </list>
/// A bad line stops the import before its batch is written, so nothing of that batch is appended; earlier batches
/// stay committed. Memory is bounded by a few batches in flight, whatever the file's size.
/// </summary>
internal sealed class NdjsonImporter(LedgerEngine engine, EventBatchWriter writer, ImportFile command, RejectedLines rejected)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ImportTrace? _trace = ImportTrace.FromEnvironment();

    // The last block already in the store when the import started. A content key starts with its line's block, so
    // a line past this block cannot be in the store yet, and within one run the codec's scope keeps content keys
    // unique: only lines at or before it, and lines with an explicit "id", need a look-up in the key table.
    private readonly ulong? _storedUpTo = engine.State.LastBlock?.Value;
    private long _lines;
    private long _appended;
    private long _epochs;
    private long _present;
    private long _rejected;

    public async Task<ImportSummary> RunAsync(Stream file, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batches = Channel.CreateBounded<List<Pending>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var reader = Task.Run(() => ReadAsync(file, batches.Writer, stop.Token), stop.Token);
        try
        {
            var error = await CheckAndWriteAsync(batches.Reader, ct).ConfigureAwait(false);
            _trace?.Report(_clock.Elapsed);
            return Summary(error);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await reader.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The import stopped at a bad line before the reader reached the end of the file.
            }
        }
    }

    /// <summary>Stage 1: lines → parsed, shape-checked lines with their natural keys, in batches.</summary>
    private async Task ReadAsync(Stream file, ChannelWriter<List<Pending>> output, CancellationToken ct)
    {
        // Identical lines within a block are distinct facts: the codec's scope numbers their keys (#2, #3, ...).
        var keys = new NaturalKeyScope();
        var batch = new List<Pending>(command.BatchSize);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await foreach (var line in NdjsonLines.ReadAsync(file, ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _lines);
                if (IsBlank(line.Utf8))
                {
                    continue;
                }

                batch.Add(Judge(line, keys));

                if (batch.Count == command.BatchSize)
                {
                    _trace?.Add(ImportTrace.Step.ReadParse, started);
                    var handOff = Stopwatch.GetTimestamp();
                    await output.WriteAsync(batch, ct).ConfigureAwait(false);
                    _trace?.Add(ImportTrace.Step.ReadWaitHandOff, handOff);
                    batch = new List<Pending>(command.BatchSize);
                    started = Stopwatch.GetTimestamp();
                }
            }

            if (batch.Count > 0)
            {
                await output.WriteAsync(batch, ct).ConfigureAwait(false);
            }

            output.Complete();
        }
        catch (Exception ex)
        {
            output.Complete(ex);
            throw;
        }
    }

    /// <summary>Stages 2 and 3: dedup and Domain rules in line order, then one write in flight at a time.</summary>
    private async Task<ImportError?> CheckAndWriteAsync(ChannelReader<List<Pending>> input, CancellationToken ct)
    {
        Task? write = null;
        var inFlight = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                var t = Stopwatch.GetTimestamp();
                if (!input.TryRead(out var batch))
                {
                    if (!await input.WaitToReadAsync(ct).ConfigureAwait(false))
                    {
                        break;
                    }

                    batch = await input.ReadAsync(ct).ConfigureAwait(false);
                }

                _trace?.Add(ImportTrace.Step.CheckWaitInput, t);
                t = Stopwatch.GetTimestamp();
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in batch)
                {
                    if (p.Parsed is { } parsed && (parsed.HasExplicitId || parsed.Event.Block.Value <= _storedUpTo))
                    {
                        keys.Add(parsed.NaturalKey);
                    }
                }

                // The store holds every batch but the one being written; that one's keys are still in memory.
                var existing = await writer.ExistingKeysAsync(keys, ct).ConfigureAwait(false);
                existing.UnionWith(ExplicitIds(batch).Where(inFlight.Contains));
                _trace?.Add(ImportTrace.Step.CheckKeys, t);
                t = Stopwatch.GetTimestamp();
                var (accepted, present, rejectedHere, error) = await JudgeAsync(batch, existing, ct).ConfigureAwait(false);
                if (error is not null)
                {
                    return error;
                }

                // JSON, stream ids and status deltas are computed while the previous batch is still being written.
                _trace?.Add(ImportTrace.Step.CheckJudge, t);
                t = Stopwatch.GetTimestamp();
                var prepared = writer.Prepare(accepted);
                _trace?.Add(ImportTrace.Step.CheckPrepare, t);
                t = Stopwatch.GetTimestamp();
                if (write is not null)
                {
                    await write.ConfigureAwait(false);
                }

                _trace?.Add(ImportTrace.Step.CheckWaitWrite, t);

                _present += present;
                _rejected += rejectedHere;
                inFlight = [.. accepted.Select(a => a.NaturalKey)];
                write = WriteAsync(prepared, accepted.Count(a => a.Event is not IDerivedEvent), ct);
            }

            return null;
        }
        finally
        {
            // Whatever stopped the loop, the batch already handed to the database commits (or fails) whole.
            if (write is not null)
            {
                await write.ConfigureAwait(false);
            }
        }
    }

    private static IEnumerable<string> ExplicitIds(List<Pending> batch) =>
        batch.Where(p => p.Parsed is { HasExplicitId: true }).Select(p => p.Parsed!.NaturalKey);

    private async Task WriteAsync(PreparedBatch accepted, int facts, CancellationToken ct)
    {
        await writer.AppendAsync(accepted, _trace, ct).ConfigureAwait(false);
        _appended += facts;
        _epochs += (accepted.Count - facts) / 2;
        command.Progress?.Report(Progress());
    }

    private async Task<(List<KeyedEvent> Accepted, long Present, long Rejected, ImportError? Error)> JudgeAsync(
        List<Pending> batch, HashSet<string> existing, CancellationToken ct)
    {
        var accepted = new List<KeyedEvent>(batch.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long present = 0, rejectedHere = 0;
        foreach (var p in batch)
        {
            var (verdict, field, reason) = Judge(p, existing, seen, out var derived);
            switch (verdict)
            {
                case Verdict.Accepted:
                    accepted.Add(new KeyedEvent(p.Parsed!.Event, p.Parsed.NaturalKey));
                    // An epoch_triggered line is followed by the epoch the ledger computes for it, in the same batch.
                    foreach (var d in derived)
                    {
                        accepted.Add(new KeyedEvent(d, NaturalKeys.Derived(d)));
                    }

                    continue;
                case Verdict.Present:
                    present++;
                    continue;
            }

            if (!command.SkipInvalid)
            {
                return (accepted, present, rejectedHere, new ImportError(p.Line.Number, field!, reason!));
            }

            rejectedHere++;
            await rejected.WriteAsync(p.Line.Number, field!, reason!, p.Line.Utf8, ct).ConfigureAwait(false);
        }

        return (accepted, present, rejectedHere, null);
    }

    /// <summary>Accepted lines are applied to the state here, so the next line is checked against them.</summary>
    private (Verdict, string? Field, string? Reason) Judge(Pending p, HashSet<string> existing, HashSet<string> seen, out IReadOnlyList<ILedgerEvent> derived)
    {
        derived = [];
        if (p.Parsed is not { } parsed)
        {
            return (Verdict.Rejected, p.Error!.Field, p.Error.Reason);
        }

        if (existing.Contains(parsed.NaturalKey) || seen.Contains(parsed.NaturalKey))
        {
            return (Verdict.Present, null, null);
        }

        if (p.Error is { } shape)
        {
            return (Verdict.Rejected, shape.Field, shape.Reason);
        }

        if (!engine.TryApplyFact(parsed.Event, out var violation, out derived))
        {
            return (Verdict.Rejected, violation!.Field, violation.Reason);
        }

        seen.Add(parsed.NaturalKey);
        return (Verdict.Accepted, null, null);
    }

    private ImportProgress Progress() => new(Interlocked.Read(ref _lines), _appended, _present, _rejected, _clock.Elapsed);

    private ImportSummary Summary(ImportError? error) =>
        new(Interlocked.Read(ref _lines), _appended, _present, _rejected, _clock.Elapsed, error, rejected.Any ? rejected.Path : null) { EpochsRun = _epochs };

    /// <summary>
    /// The first non-blank line's shape error (length, UTF-8, JSON, fields), or null; checked before the database is
    /// opened, so a file whose first line is bad is refused at once. Later lines and the ledger's rules are the import's.
    /// </summary>
    internal static async Task<ImportError?> FirstLineErrorAsync(Stream file, CancellationToken ct)
    {
        await foreach (var line in NdjsonLines.ReadAsync(file, ct).ConfigureAwait(false))
        {
            if (IsBlank(line.Utf8))
            {
                continue;
            }

            return Judge(line, new NaturalKeyScope()).Error is { } error ? new ImportError(line.Number, error.Field, error.Reason) : null;
        }

        return null;
    }

    /// <summary>One line's length, UTF-8, JSON and field checks: the rules every line passes before the ledger's.</summary>
    internal static Pending Judge(RawLine line, NaturalKeyScope keys)
    {
        if (line.TooLong is { } length)
        {
            return new Pending(line, null, new FieldError("line", $"is {length} bytes; a line is at most {NdjsonLines.MaxLineBytes} bytes"));
        }

        var utf8 = line.Number == 1 && line.Utf8.AsSpan().StartsWith(Bom) ? line.Utf8[Bom.Length..] : line.Utf8;
        if (!NdjsonCodec.TryParse(utf8, out var parsed, out var error))
        {
            return new Pending(line, null, error);
        }

        parsed = keys.Assign(parsed);
        return new Pending(line, parsed, EventShape.Validate(parsed.Event));
    }

    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    internal static bool IsBlank(byte[] line)
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

    /// <summary>A line after stage 1: parsed (with its shape error, if any) or the parse error.</summary>
    internal readonly record struct Pending(RawLine Line, ParsedLine? Parsed, FieldError? Error);
}
