using System.Globalization;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Samples;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Mediator;

namespace Bittensor.Ledger.Application.Simulation;

/// <summary>What `ledger simulate` builds: a deterministic synthetic network (the sample generator's behaviour with
/// these sizes) whose epochs run by <see cref="Schedule"/> through the consensus handler.</summary>
public sealed record SimulationOptions
{
    public int Subnets { get; init; } = 3;
    public ushort Neurons { get; init; } = 64;
    public ushort Validators { get; init; } = 8;
    public int Blocks { get; init; } = 2_000;
    public int Seed { get; init; } = 42;

    /// <summary>Tempo of every subnet; null: 99, 119, 139, … by subnet.</summary>
    public ushort? Tempo { get; init; }

    /// <summary>Registration burn cap (rao) of every subnet; null: 100 TAO.</summary>
    public ulong? MaxBurn { get; init; }
    public bool? Yuma3 { get; init; }
    public bool? LiquidAlpha { get; init; }
    public EpochSchedule Schedule { get; init; } = EpochSchedule.Dynamic;

    /// <summary>TAO issuance at genesis (rao); near 10.5M TAO the first halving is crossed within a run.</summary>
    public Rao GenesisIssuance { get; init; } = Rao.FromTao(7_500_000);
}

/// <summary>A simulation starts from an empty ledger, and this one was not: another writer (an import) wrote it
/// before this simulation took the writer lock, perhaps while it waited. Nothing was written.</summary>
public sealed class LedgerNotEmptyException(ulong lastBlock)
    : InvalidOperationException($"the ledger already holds events (through block {lastBlock}), written by another command before this one took the writer lock; a simulation starts from an empty ledger: pass --reset to replace them")
{
    public ulong LastBlock { get; } = lastBlock;
}

public sealed record SimulationProgress(long Block, long Blocks, long Facts, long Epochs);

/// <summary>Alpha paid by the simulated epochs, summed by posting reason, and per hotkey.</summary>
public sealed record SimulationSummary(
    long Facts,
    long Epochs,
    IReadOnlyDictionary<PostingReason, UInt128> ByReason,
    IReadOnlyList<(Hotkey Hotkey, UInt128 Received)> TopEarners,
    IReadOnlyList<IdentityResult> Conservation,
    Rao TaoIssuance);

public static class Simulation
{
    /// <summary>Runs the simulation on writer services (<see cref="Wiring.WriterServices"/>) whose store is empty: per
    /// block, the epochs due at it go through the consensus handler (<see cref="RunEpoch"/>, invoked inline so the
    /// next block's facts see their results), then the block's facts are appended.</summary>
    public static async Task<SimulationSummary> RunAsync(IServiceProvider services, SimulationOptions options, IProgress<SimulationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var writer = services.GetRequiredService<LedgerWriter>();
        var batches = services.GetRequiredService<EventBatchWriter>();
        await using var scope = services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var engine = await writer.WithEngineAsync(e => Task.FromResult(e), ct).ConfigureAwait(false);
        if (engine.State.Started)
        {
            throw new LedgerNotEmptyException(engine.State.LastBlock!.Value.Value);
        }

        // Recorded before the first event and completed after the last, so a simulation that stops half-way (killed,
        // failed) leaves a ledger that `status` and `verify` call incomplete (issue 13).
        var dataSource = services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var runId = await LedgerRuns.StartAsync(dataSource, "simulate", Describe(options), clock, ct).ConfigureAwait(false);

        var sample = new SampleOptions
        {
            Seed = options.Seed,
            Blocks = options.Blocks,
            Subnets = options.Subnets,
            Neurons = options.Neurons,
            Validators = options.Validators,
            Tempo = options.Tempo,
            MaxBurn = options.MaxBurn,
            Yuma3 = options.Yuma3,
            LiquidAlpha = options.LiquidAlpha,
            Schedule = options.Schedule,
            Engine = engine,
            GenesisIssuance = options.GenesisIssuance,
        };

        var pending = new List<KeyedEvent>();
        var keys = new NaturalKeyScope();
        var conservation = new Conservation();
        var byReason = new Dictionary<PostingReason, UInt128>();
        var byHotkey = new Dictionary<Hotkey, UInt128>();
        long facts = 0, epochs = 0;
        using var blocks = SampleChain.GenerateBlocks(sample).GetEnumerator();
        for (long block = 0; block <= options.Blocks; block++)
        {
            if (block > 0)
            {
                var due = await writer.WithEngineAsync(e =>
                {
                    e.AdvanceTo(new Block((ulong)block));
                    conservation.CheckBooks(e, new Block((ulong)block));
                    return Task.FromResult(e.State.Subnets.OrderBy(s => s.NetUid)
                        .Where(s => e.IsDue(s.NetUid, new Block((ulong)block), options.Schedule))
                        .Select(s => new RunEpoch(s.NetUid, s.EpochsCompleted, new Block((ulong)block), options.Schedule)).ToList());
                }, ct).ConfigureAwait(false);
                if (due.Count > 0)
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                foreach (var request in due)
                {
                    var run = await mediator.Send(request, ct).ConfigureAwait(false);
                    if (run.Completed is null || run.Posted is null)
                    {
                        throw new InvalidOperationException($"epoch {request.Epoch} of subnet {request.NetUid} was already stored");
                    }

                    epochs++;
                    conservation.CheckEpoch(engine, run.Completed, run.Posted);
                    Tally(run.Posted, byReason, byHotkey);
                }
            }

            // The generator applies the block's facts to the engine as it makes them; they are stored before the next epoch.
            var made = await writer.WithEngineAsync(_ => Task.FromResult(blocks.MoveNext() ? blocks.Current : []), ct).ConfigureAwait(false);
            foreach (var e in made)
            {
                pending.Add(new KeyedEvent(e, keys.Next(e.Block, NdjsonCodec.ContentKey(e))));
            }

            facts += made.Count;
            if (pending.Count >= 5_000)
            {
                await FlushAsync().ConfigureAwait(false);
            }

            progress?.Report(new SimulationProgress(block, options.Blocks, facts, epochs));
        }

        await FlushAsync().ConfigureAwait(false);
        await LedgerRuns.CompleteAsync(dataSource, runId, clock, ct).ConfigureAwait(false);
        var top = byHotkey.OrderByDescending(h => h.Value).ThenBy(h => h.Key.Address, StringComparer.Ordinal).Take(10)
            .Select(h => (h.Key, h.Value)).ToList();
        return new SimulationSummary(facts, epochs, byReason, top, conservation.Results, engine.State.Issuance);

        async Task FlushAsync()
        {
            if (pending.Count == 0)
            {
                return;
            }

            var batch = pending.ToList();
            pending.Clear();
            await writer.WithEngineAsync(async _ =>
            {
                await batches.AppendAsync(batch, ct).ConfigureAwait(false);
                return 0;
            }, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The options, as the run record names them.</summary>
    public static string Describe(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture,
            $"{options.Blocks} blocks, {options.Subnets} subnets x {options.Neurons} neurons ({options.Validators} validators), seed {options.Seed}, {options.Schedule} schedule");
    }

    /// <summary>Sums a distribution by reason, and what each hotkey's stake accounts received.</summary>
    public static void Tally(SubnetEmissionPosted posted, Dictionary<PostingReason, UInt128> byReason, Dictionary<Hotkey, UInt128> byHotkey)
    {
        ArgumentNullException.ThrowIfNull(posted);
        ArgumentNullException.ThrowIfNull(byReason);
        ArgumentNullException.ThrowIfNull(byHotkey);
        foreach (var p in posted.Postings)
        {
            if (p.IsAccrual)
            {
                continue;
            }

            byReason[p.Reason] = byReason.GetValueOrDefault(p.Reason) + p.Amount.Value;
            if (p.To.Kind == AccountKind.Stake && p.Reason != PostingReason.OwnerCutStaked)
            {
                byHotkey[p.To.Hotkey!.Value] = byHotkey.GetValueOrDefault(p.To.Hotkey!.Value) + p.Amount.Value;
            }
        }
    }
}
