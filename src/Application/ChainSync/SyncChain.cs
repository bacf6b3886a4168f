using System.Globalization;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Chain;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Chain;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.Tailing;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.ChainSync;

/// <summary>
/// Record the history of some subnets from a subtensor node into this ledger (docs/chain.md, "Audit a subnet"): for
/// every finalized block from <see cref="FromBlock"/>, the block's SubtensorModule events of those subnets as
/// <see cref="ChainEventObserved"/> facts, and for every block where a subnet's epoch ran, what it read
/// (<see cref="EpochInputsObserved"/>) and wrote (<see cref="EpochOutputsObserved"/>). Each fact's natural key is its
/// block and event index (<c>chain:{block}-{index}</c>), so a re-sync appends nothing; a checkpoint per subnet commits
/// with each batch of blocks, so a killed sync resumes where its last batch ended.
/// </summary>
/// <param name="ToBlock">The last block to read; null with <see cref="Follow"/>: tail the finalized head until cancelled.</param>
/// <param name="BatchBlocks">Blocks per transaction; an epoch block ends its batch (its facts are large).</param>
public sealed record SyncChain(
    ChainReader Reader,
    IReadOnlyList<ushort> Netuids,
    long FromBlock,
    long? ToBlock,
    bool Follow,
    int BatchBlocks = 64,
    IProgress<SyncProgress>? Progress = null,
    TimeSpan? FollowPoll = null) : ICommand<SyncReport>
{
    /// <summary>The first runtime with mechanisms (NetUidStorageIndex): older blocks are refused (ADR 0011).</summary>
    public const uint OldestSpec = 320;

    public sealed class Validator : AbstractValidator<SyncChain>
    {
        public Validator()
        {
            RuleFor(x => x.Netuids).NotEmpty().WithName("--netuid").WithMessage("name at least one subnet");
            RuleFor(x => x.Netuids).Must(n => n.Distinct().Count() == n.Count).WithName("--netuid").WithMessage("names a subnet twice");
            RuleFor(x => x.FromBlock).GreaterThanOrEqualTo(1).WithName("--from-block").WithMessage("must be 1 or more (an epoch block has a block before it)");
            RuleFor(x => x).Must(x => x.Follow != x.ToBlock.HasValue).WithName("--to-block").WithMessage("give either --to-block B or --follow");
            RuleFor(x => x.ToBlock).GreaterThanOrEqualTo(x => x.FromBlock).When(x => x.ToBlock.HasValue).WithName("--to-block").WithMessage("must not be before --from-block");
            RuleFor(x => x.BatchBlocks).InclusiveBetween(1, 10_000).WithName("--batch-blocks");
        }
    }
}

/// <summary>Where a running sync is: the block just committed or read, how many of the range are done, and what was found.</summary>
public sealed record SyncProgress(long Block, long Done, long? Total, long Facts, int Epochs, long Appended);

/// <summary>What a sync did. <see cref="Interrupted"/>: cancelled (Ctrl-C); every block before <see cref="NextBlock"/> is committed.</summary>
public sealed record SyncReport(
    IReadOnlyList<ushort> Netuids,
    long FromBlock,
    long NextBlock,
    long Blocks,
    long Facts,
    int Epochs,
    long Appended,
    long AlreadyPresent,
    bool Interrupted,
    long RpcRequests);

/// <summary>The sync cannot start or go on as asked: another sync holds the subnet, the ledger was synced from another
/// chain, the block is not finalized yet, or its runtime is older than the ledger supports.</summary>
public sealed class ChainSyncRefusedException(string field, string reason) : Exception($"{field}: {reason}")
{
    public string Field { get; } = field;

    public string Reason { get; } = reason;
}

public sealed class SyncChainHandler(NpgsqlDataSource dataSource, StoredEvents stored, SchemaReady schema, LockWaits waits)
    : ICommandHandler<SyncChain, SyncReport>
{
    private readonly NpgsqlDataSource _dataSource = dataSource;
    private readonly StoredEvents _stored = stored;
    private readonly LockWaits _waits = waits;

    public async ValueTask<SyncReport> Handle(SyncChain command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var netuids = command.Netuids.Order().ToArray();

        // One session holds a lock per subnet for the whole sync: a second sync of the same subnet is refused at once.
        await using var locks = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var held = new List<ushort>();
        try
        {
            foreach (var netuid in netuids)
            {
                await using var attempt = new NpgsqlCommand("select pg_try_advisory_lock(@key)", locks);
                attempt.Parameters.AddWithValue("key", LedgerLocks.ChainSync(netuid));
                if (!(bool)(await attempt.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    var holder = await LedgerLocks.HolderAsync(locks, LedgerLocks.ChainSync(netuid), cancellationToken).ConfigureAwait(false);
                    throw new ChainSyncRefusedException("--netuid", string.Create(CultureInfo.InvariantCulture,
                        $"subnet {netuid} is already being synced into this ledger{(holder is null ? "" : $" ({holder})")}; wait for that sync to end or stop it"));
                }

                held.Add(netuid);
            }

            return await new Run(this, command, netuids).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var netuid in held)
            {
                await LedgerLocks.ReleaseAsync(locks, LedgerLocks.ChainSync(netuid)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One sync: the per-subnet checkpoints, the pending batch, and the counters.</summary>
    private sealed class Run(SyncChainHandler owner, SyncChain command, ushort[] netuids)
    {
        private readonly ChainReader _reader = command.Reader;
        private readonly ObservedEpochReader _epochs = new(command.Reader);
        private readonly Dictionary<ushort, long> _next = [];
        private readonly List<KeyedEvent> _pending = [];
        private readonly Dictionary<ushort, (long Next, string Hash, uint Spec)> _pendingCheckpoints = [];
        private long _facts;
        private int _epochCount;
        private long _appended;
        private long _present;
        private long _blocks;
        private long _finalized;

        public async Task<SyncReport> ExecuteAsync(CancellationToken ct)
        {
            var checkpoints = await ChainCheckpoints.ReadAsync(owner._dataSource, netuids, ct).ConfigureAwait(false);
            foreach (var netuid in netuids)
            {
                _next[netuid] = command.FromBlock;
                if (checkpoints.TryGetValue(netuid, out var checkpoint) && checkpoint.NextBlock > command.FromBlock)
                {
                    // Resuming: the node must be the chain this ledger was synced from.
                    var last = await _reader.BlockAsync(checkpoint.NextBlock - 1, ct).ConfigureAwait(false);
                    if (!string.Equals(last.Hash, checkpoint.LastHash, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new ChainSyncRefusedException("--url", string.Create(CultureInfo.InvariantCulture,
                            $"this ledger synced subnet {netuid} up to block {checkpoint.NextBlock - 1} with hash {checkpoint.LastHash}, but the node has {last.Hash} there: it is another chain"));
                    }

                    _next[netuid] = checkpoint.NextBlock;
                }
            }

            var finalized = _finalized = (await _reader.HeadAsync(ct).ConfigureAwait(false)).FinalizedNumber;
            if (command.ToBlock is { } to && to > finalized)
            {
                throw new ChainSyncRefusedException("--to-block", string.Create(CultureInfo.InvariantCulture,
                    $"block {to} is not finalized yet (the node's last finalized block is {finalized}); chain sync reads finalized blocks only"));
            }

            var start = _next.Values.Min();
            var total = command.ToBlock is { } end ? Math.Max(0, end - start + 1) : (long?)null;
            var block = start;
            var interrupted = false;
            try
            {
                while (command.ToBlock is not { } last || block <= last)
                {
                    ct.ThrowIfCancellationRequested();
                    if (block > finalized)
                    {
                        // Following: wait for the next finalized block.
                        await FlushAsync(ct).ConfigureAwait(false);
                        finalized = _finalized = (await _reader.HeadAsync(ct).ConfigureAwait(false)).FinalizedNumber;
                        if (block > finalized)
                        {
                            await Task.Delay(command.FollowPoll ?? TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                        }

                        continue;
                    }

                    var epochFound = await BlockAsync(block, ct).ConfigureAwait(false);
                    _blocks++;
                    if (epochFound || _pendingCheckpoints.Count > 0 && BlocksPending(block) >= command.BatchBlocks)
                    {
                        await FlushAsync(ct).ConfigureAwait(false);
                    }

                    command.Progress?.Report(new SyncProgress(block, block - start + 1, total, _facts, _epochCount, _appended));
                    block++;
                }

                await FlushAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C: the blocks read in full are kept; the one being read when it came is read again next time.
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
                interrupted = true;
            }
            catch (Exception e) when (e is Chain.Rpc.ChainRpcException)
            {
                // The node is gone (after the client's retries): keep every block read in full, then say so.
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            return new SyncReport(netuids, start, _next.Values.Min(), _blocks, _facts, _epochCount, _appended, _present, interrupted, _reader.Rpc.Requests);
        }

        private long _batchStart = -1;

        private long BlocksPending(long block) => _batchStart < 0 ? 0 : block - _batchStart + 1;

        /// <summary>Reads one block's facts for the subnets whose checkpoint has reached it; true when an epoch ran in it.</summary>
        private async Task<bool> BlockAsync(long number, CancellationToken ct)
        {
            var active = netuids.Where(n => _next[n] <= number).ToHashSet();
            if (active.Count == 0)
            {
                return false;
            }

            var (at, read) = await FetchAsync(number, ct).ConfigureAwait(false);
            if (read is not { } events)
            {
                throw new ChainSyncRefusedException("--from-block", string.Create(CultureInfo.InvariantCulture,
                    $"block {number} ran runtime spec {at.SpecVersion}; chain sync supports spec {SyncChain.OldestSpec} and later (the first runtime with mechanisms): start at a later block"));
            }


            var facts = new List<KeyedEvent>();
            var epochSubnets = new SortedSet<ushort>();
            foreach (var record in events.Records)
            {
                if (SubtensorEvents.Read(record, (int)at.SpecVersion) is not { } typed)
                {
                    continue;
                }

                var concerned = Involved(typed, netuids).Where(active.Contains).ToList();
                if (concerned.Count == 0)
                {
                    continue;
                }

                var netuid = concerned[0];

                if (typed is IncentiveAlphaEmittedToMiners)
                {
                    epochSubnets.Add(netuid);
                }

                var weights = typed is Chain.Readers.WeightsSet w ? await WeightsRowAsync(at, w, ct).ConfigureAwait(false) : null;
                var fact = new ChainEventObserved(
                    new Block(checked((ulong)number)), at.Hash, at.SpecVersion, new NetUid(netuid), record.Phase.Kind,
                    record.Phase.Extrinsic is { } x ? checked((int)x) : null, record.Index, record.Pallet, record.Name, Kind(typed),
                    record.Fields.DeepClone(), Convert.ToHexStringLower(record.Raw), weights);
                facts.Add(new KeyedEvent(fact, string.Create(CultureInfo.InvariantCulture, $"chain:{number}-{record.Index}")));
            }

            foreach (var netuid in epochSubnets)
            {
                var epoch = await _epochs.ReadAsync(events, netuid, ct).ConfigureAwait(false);
                var (inputs, outputs) = ObservedFacts.FromEpoch(epoch, epoch.Inputs.Block.SpecVersion);
                facts.Add(new KeyedEvent(inputs, string.Create(CultureInfo.InvariantCulture, $"chain:{number}-epoch-{netuid}-inputs")));
                facts.Add(new KeyedEvent(outputs, string.Create(CultureInfo.InvariantCulture, $"chain:{number}-epoch-{netuid}-outputs")));
                _epochCount++;
            }

            // The block is read in full: only now do its facts and checkpoints join the batch.
            if (_batchStart < 0)
            {
                _batchStart = number;
            }

            _pending.AddRange(facts);
            _facts += facts.Count;
            foreach (var netuid in active)
            {
                _pendingCheckpoints[netuid] = (number + 1, at.Hash, at.SpecVersion);
            }

            return epochSubnets.Count > 0;
        }

        /// <summary>How many blocks ahead of the one being processed are being read: the node's round trips overlap
        /// (a block costs four sequential requests), while facts are still made and committed in block order.</summary>
        private const int ReadAhead = 16;

        private readonly Dictionary<long, Task<(BlockRef Block, BlockEvents? Events)>> _ahead = [];

        /// <summary>Block <paramref name="number"/> and its events (null for a runtime older than the sync supports),
        /// with the reads of the next blocks up to the finalized head started meanwhile.</summary>
        private async Task<(BlockRef Block, BlockEvents? Events)> FetchAsync(long number, CancellationToken ct)
        {
            var limit = Math.Min(number + ReadAhead, command.ToBlock ?? _finalized);
            for (var b = number; b <= limit; b++)
            {
                if (!_ahead.ContainsKey(b))
                {
                    _ahead[b] = ReadBlockAsync(b, ct);
                }
            }

            var task = _ahead.TryGetValue(number, out var started) ? started : ReadBlockAsync(number, ct);
            _ahead.Remove(number);
            return await task.ConfigureAwait(false);
        }

        private async Task<(BlockRef, BlockEvents?)> ReadBlockAsync(long number, CancellationToken ct)
        {
            var at = await _reader.BlockAsync(number, ct).ConfigureAwait(false);
            return at.SpecVersion < SyncChain.OldestSpec ? (at, null) : (at, await _reader.EventsAsync(at, ct).ConfigureAwait(false));
        }

        /// <summary>The validator's row as the block left it: what the next epoch reads unless it changes again.</summary>
        private async Task<ObservedValue?> WeightsRowAsync(BlockRef at, Chain.Readers.WeightsSet set, CancellationToken ct)
        {
            var runtime = await _reader.RuntimeAsync(at, ct).ConfigureAwait(false);
            if (runtime.Metadata.FindPallet(SubtensorEvents.Pallet)?.FindStorage("Weights") is not { } entry)
            {
                return null;
            }

            var key = runtime.Keys.KeyFromText(entry, [Text(set.Subnet.StorageIndex), Text(set.Uid)]);
            var reads = await _reader.ReadKeysAsync(at, runtime, entry, [key], ct).ConfigureAwait(false);
            return ObservedFacts.Value("Weights", nameof(EpochKey.MechanismMap), set.Subnet.Mechanism, reads[0]);
        }

        /// <summary>Commits the pending blocks' facts and checkpoints in one transaction, under the writer lock.</summary>
        private async Task FlushAsync(CancellationToken ct)
        {
            if (_pendingCheckpoints.Count == 0)
            {
                return;
            }

            var checkpoints = _pendingCheckpoints.ToArray();
            await using (var writer = await WriterLock.AcquireAsync(owner._dataSource, ct, owner._waits.Report).ConfigureAwait(false))
            {
                var existing = await NaturalKeys.ExistingAsync(owner._dataSource, [.. _pending.Select(p => p.NaturalKey)], ct).ConfigureAwait(false);
                var fresh = _pending.Where(p => !existing.Contains(p.NaturalKey)).ToList();
                var batchWriter = new EventBatchWriter(owner._dataSource, owner._stored);
                var batch = batchWriter.Prepare(fresh);
                batch.AlsoInTransaction = (connection, tx, token) => WriteCheckpointsAsync(connection, tx, checkpoints, token);
                if (fresh.Count > 0)
                {
                    await batchWriter.AppendAsync(batch, ct).ConfigureAwait(false);
                }
                else
                {
                    await using var connection = await owner._dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await WriteCheckpointsAsync(connection, tx, checkpoints, ct).ConfigureAwait(false);
                    await tx.CommitAsync(ct).ConfigureAwait(false);
                }

                _appended += fresh.Count;
                _present += existing.Count;
            }

            foreach (var (netuid, checkpoint) in checkpoints)
            {
                _next[netuid] = checkpoint.Next;
            }

            _pending.Clear();
            _pendingCheckpoints.Clear();
            _batchStart = -1;
        }

        private static async Task WriteCheckpointsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, KeyValuePair<ushort, (long Next, string Hash, uint Spec)>[] checkpoints, CancellationToken ct)
        {
            await using var cmd = new NpgsqlCommand(
                $"insert into {ChainCheckpoints.QualifiedName} (netuid, next_block, last_hash, spec_version) " +
                "select * from unnest(@netuid::int[], @next::bigint[], @hash::text[], @spec::bigint[]) " +
                "on conflict (netuid) do update set next_block = excluded.next_block, last_hash = excluded.last_hash, spec_version = excluded.spec_version",
                connection, tx);
            cmd.Parameters.AddWithValue("netuid", checkpoints.Select(c => (int)c.Key).ToArray());
            cmd.Parameters.AddWithValue("next", checkpoints.Select(c => c.Value.Next).ToArray());
            cmd.Parameters.AddWithValue("hash", checkpoints.Select(c => c.Value.Hash).ToArray());
            cmd.Parameters.AddWithValue("spec", checkpoints.Select(c => (long)c.Value.Spec).ToArray());
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>The subnets an event concerns, the one it is filed under first; every subnet for a network-wide hotkey swap.</summary>
    internal static IEnumerable<ushort> Involved(SubtensorEvent e, IReadOnlyList<ushort> all) => e switch
    {
        Chain.Readers.StakeAdded s => [s.Netuid],
        Chain.Readers.StakeRemoved s => [s.Netuid],
        Chain.Readers.StakeMoved s => [s.OriginNetuid, s.DestinationNetuid],
        StakeTransferred s => [s.OriginNetuid, s.DestinationNetuid],
        StakeSwapped s => [s.OriginNetuid, s.DestinationNetuid],
        Chain.Readers.NeuronRegistered r => [r.Netuid],
        Chain.Readers.WeightsSet w => [w.Subnet.Netuid],
        WeightsCommitted w => [w.Subnet.Netuid],
        WeightsRevealed w => [w.Subnet.Netuid],
        Chain.Readers.AlphaRecycled a => [a.Netuid],
        Chain.Readers.AlphaBurned a => [a.Netuid],
        IncentiveAlphaEmittedToMiners m => [m.Subnet.Netuid],
        HotkeySwapped h => h.Netuid is { } n ? [n] : all,
        ChildrenSet c => [c.Netuid],
        NetworkAdded n => [n.Netuid],
        NetworkRemoved n => [n.Netuid],
        HyperparameterSet h => [h.Netuid],
        _ => [],
    };

    /// <summary>The typed reader's name as the ledger spells event types: <c>StakeAdded</c> → <c>stake_added</c>.</summary>
    internal static string Kind(SubtensorEvent e) => LedgerStore.EventTypeName(e.GetType());

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
