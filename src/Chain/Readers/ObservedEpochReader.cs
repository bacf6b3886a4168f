using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Events;

namespace Bittensor.Ledger.Chain.Readers;

/// <summary>
/// What one epoch of a subnet read and wrote, as the chain recorded it (chain-adapter.md §1.1): the state before the
/// epoch is the state at B−1 corrected for what block B's initialization changed first, and the outputs are the state
/// at B. Every read keeps its key and raw bytes.
/// </summary>
/// <param name="Block">The epoch block B.</param>
/// <param name="Inputs">Every epoch item at B−1.</param>
/// <param name="Outputs">Every epoch item at B.</param>
/// <param name="RevealedWeights">
/// Correction (a): the <c>Weights</c> rows, read at B, of the uids whose timelocked weights were revealed in B's
/// initialization, before the epoch; they replace those uids' rows of <see cref="Inputs"/>.
/// </param>
/// <param name="Commits">
/// Correction (b): the commit maps (<c>WeightCommits</c>, <c>TimelockedWeightCommits</c>) at B, where the reveal step
/// has already taken the revealed and expired commits; entries committed in B itself are dropped (see
/// <see cref="CommitsBeforeBlock"/>).
/// </param>
/// <param name="Events">The block's events the ledger uses.</param>
/// <param name="ExcludedUids">Uids that extrinsics in B touched after the epoch (registrations, hotkey swaps): their outputs are not the epoch's.</param>
/// <param name="RuntimeUpgrade">True when B is the first block of a new runtime: migrations ran before the epoch.</param>
public sealed record ObservedEpoch(
    BlockRef Block,
    ushort Netuid,
    SubnetEpochState Inputs,
    SubnetEpochState Outputs,
    IReadOnlyList<EpochRead> RevealedWeights,
    IReadOnlyList<EpochRead> Commits,
    IReadOnlyList<SubtensorEvent> Events,
    IReadOnlyList<ushort> ExcludedUids,
    bool RuntimeUpgrade)
{
    /// <summary>The epoch's per-mechanism miner emissions, from <c>IncentiveAlphaEmittedToMiners</c> (spec 315 on).</summary>
    public IReadOnlyList<IncentiveAlphaEmittedToMiners> MinerEmissions =>
        [.. Events.OfType<IncentiveAlphaEmittedToMiners>().Where(e => e.Subnet.Netuid == Netuid)];

    /// <summary>
    /// The entries of each commit map as the epoch saw them: the values at B without the commits made in B (a
    /// <c>WeightCommits</c> entry is <c>(hash, commit_epoch, commit_block, reveal_block)</c> from spec 423 and
    /// <c>(hash, commit_block, first_reveal, last_reveal)</c> before; a <c>TimelockedWeightCommits</c> entry
    /// <c>(who, commit_block, commit, round)</c>). The audit takes <c>WeightCommits</c> at B−1 instead: their reveals
    /// are extrinsics, after the epoch.
    /// </summary>
    public IReadOnlyList<(EpochRead Read, JsonArray Entries)> CommitsBeforeBlock() =>
        [.. Commits.Select(c => (c, new JsonArray([.. (c.Read.Value as JsonArray ?? [])
            .Where(entry => CommitBlock(c.Item.Name, entry) != Block.Number)
            .Select(entry => entry?.DeepClone())])))];

    private long? CommitBlock(string item, JsonNode? entry) =>
        entry is JsonArray fields && (item == "WeightCommits" && Block.SpecVersion >= EpochSchedule.DynamicTempoSpec ? 2 : 1) is var at && at < fields.Count
            && fields[at] is JsonValue v && v.TryGetValue<long>(out var block)
            ? block
            : null;
}

/// <summary>Reads <see cref="ObservedEpoch"/>s: the epoch items of a subnet at B−1 and at B, the corrections, and B's events.</summary>
public sealed class ObservedEpochReader(ChainReader reader)
{
    private readonly ChainReader _reader = reader ?? throw new ArgumentNullException(nameof(reader));
    private readonly SubnetEpochReader _items = new(reader);

    public async Task<ObservedEpoch> ReadAsync(long block, ushort netuid, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        return await ReadAsync(await _reader.EventsAsync(block, cancellationToken).ConfigureAwait(false), netuid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The epoch of <paramref name="netuid"/> in a block whose events the caller has already read (a sync).</summary>
    public async Task<ObservedEpoch> ReadAsync(BlockEvents events, ushort netuid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var block = events.Block.Number;
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        var before = await _reader.BlockAsync(block - 1, cancellationToken).ConfigureAwait(false);
        var at = events.Block;
        var typed = events.Records.Select(r => SubtensorEvents.Read(r, (int)at.SpecVersion)).OfType<SubtensorEvent>().ToList();

        var inputs = await _items.ReadAsync(before, netuid, cancellationToken).ConfigureAwait(false);
        var outputs = await _items.ReadAsync(at, netuid, cancellationToken).ConfigureAwait(false);

        // (a) Rows revealed in B's initialization, before the epoch, as they stand at B.
        var runtime = await _reader.RuntimeAsync(at, cancellationToken).ConfigureAwait(false);
        var revealed = new List<EpochRead>();
        var weightsItem = EpochItems.All.Single(i => i.Name == "Weights");
        var weights = runtime.Metadata.FindPallet(SubtensorEvents.Pallet)?.FindStorage("Weights");
        var hotkeys = outputs.Hotkeys();
        var revealedUids = typed.OfType<WeightsRevealed>()
            .Where(r => r.Source.Phase == EventPhase.Initialization && r.Subnet.Netuid == netuid)
            .SelectMany(r => hotkeys.Where(h => h.Value == r.Hotkey).Select(h => (r.Subnet.Mechanism, Uid: h.Key)))
            .Distinct()
            .ToList();
        if (weights is not null && revealedUids.Count > 0)
        {
            var keys = revealedUids.Select(r => runtime.Keys.KeyFromText(weights, [Text(r.Mechanism * SubnetMechanism.MechanismStride + netuid), Text(r.Uid)])).ToList();
            var reads = await _reader.ReadKeysAsync(at, runtime, weights, keys, cancellationToken).ConfigureAwait(false);
            revealed.AddRange(revealedUids.Zip(reads, (r, read) => new EpochRead(weightsItem, r.Mechanism, read)));
        }

        // (b) The commit maps at B (the reveal step has consumed what it revealed); commits made in B are dropped by the reader of the record.
        var commits = outputs.Reads.Where(r => r.Item.Name is "WeightCommits" or "TimelockedWeightCommits").ToList();

        return new ObservedEpoch(at, netuid, inputs, outputs, revealed, commits, typed, Excluded(typed, netuid, inputs, outputs), before.SpecVersion != at.SpecVersion);
    }

    /// <summary>Uids registered in B, or whose hotkey was swapped in B: their state at B is not the epoch's output.</summary>
    private static IReadOnlyList<ushort> Excluded(IReadOnlyList<SubtensorEvent> events, ushort netuid, SubnetEpochState inputs, SubnetEpochState outputs)
    {
        var excluded = new SortedSet<ushort>();
        var uids = inputs.Hotkeys().Concat(outputs.Hotkeys()).ToList();
        foreach (var e in events.Where(e => e.Source.Phase != EventPhase.Initialization))
        {
            switch (e)
            {
                case NeuronRegistered r when r.Netuid == netuid:
                    excluded.Add(r.Uid);
                    break;
                case HotkeySwapped s when s.Netuid is null || s.Netuid == netuid:
                    foreach (var (uid, hotkey) in uids)
                    {
                        if (hotkey == s.OldHotkey || hotkey == s.NewHotkey)
                        {
                            excluded.Add(uid);
                        }
                    }

                    break;
            }
        }

        return [.. excluded];
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
