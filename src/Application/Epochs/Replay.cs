using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Consensus.Yuma;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Subnets;
using Marten;
using Mediator;
using Npgsql;
using JasperFx;

namespace Bittensor.Ledger.Application.Epochs;

/// <summary>
/// Recompute the recorded epochs of blocks [<see cref="FromBlock"/>, <see cref="ToBlock"/>] under other rules
/// (`ledger replay`). The recorded events are only read; the replayed epoch results go to the scratch schema
/// <see cref="ReplayLedger.ScratchSchema"/>, emptied first. Facts, stake and the pots stay as recorded (the facts
/// remain valid, and the difference isolates the rules); what the new rules carry from epoch to epoch — validator
/// permits and bonds — follows the replay from the first replayed epoch on.
/// </summary>
public sealed record ReplayLedger(ulong FromBlock, ulong ToBlock, RuleOverrides Overrides) : IQuery<ReplayReport>
{
    public const string ScratchSchema = "ledger_replay";
}

/// <summary>Per hotkey: alpha emission (the combined "Emission" term) under the recorded and the new rules.</summary>
public sealed record HotkeyReplay(Hotkey Hotkey, Rao Recorded, Rao Replayed)
{
    public Int128 Difference => (Int128)Replayed.Value - Recorded.Value;
}

public sealed record ReplayReport(long Epochs, string Rules, IReadOnlyList<HotkeyReplay> Hotkeys);

public sealed class ReplayLedgerHandler(NpgsqlDataSource dataSource, StoredEvents stored, SchemaReady schema) : IQueryHandler<ReplayLedger, ReplayReport>
{
    public async ValueTask<ReplayReport> Handle(ReplayLedger query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.ToBlock < query.FromBlock)
        {
            throw new ArgumentException($"--to-block {query.ToBlock} is before --from-block {query.FromBlock}");
        }

        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var engine = new LedgerEngine();
        var shadows = new Dictionary<NetUid, Shadow>();
        var totals = new Dictionary<Hotkey, (ulong Recorded, ulong Replayed)>();
        var replayed = new List<EpochCompleted>();

        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (var (seq, e) in stored.ReadAsync(connection, 0, cancellationToken).ConfigureAwait(false))
            {
                if (e.Block.Value > query.ToBlock)
                {
                    break;
                }

                if (e is EpochCompleted c && c.Block.Value >= query.FromBlock)
                {
                    engine.AdvanceTo(c.Block);
                    var shadow = shadows.TryGetValue(c.NetUid, out var s) ? s : shadows[c.NetUid] = Shadow.Of(engine.State, c.NetUid);
                    var result = Replay(engine, c, shadow, query.Overrides);
                    replayed.Add(result);
                    foreach (var (recorded, again) in c.Terms.Zip(result.Terms))
                    {
                        var t = totals.GetValueOrDefault(recorded.Hotkey);
                        totals[recorded.Hotkey] = (t.Recorded + recorded.Emission.Value, t.Replayed + again.Emission.Value);
                    }
                }

                if (!engine.TryApply(e, out var violation))
                {
                    throw new InvalidOperationException($"stored event {seq} breaks a ledger rule: {violation}");
                }

                if (e is NeuronRegistered n && shadows.TryGetValue(n.NetUid, out var tracked))
                {
                    tracked.Registered(n);
                }
                else if (e is Domain.Neurons.BondsReset b && shadows.TryGetValue(b.NetUid, out var reset) && engine.State.Subnet(b.NetUid)!.TryGetUid(b.Hotkey, out var column))
                {
                    reset.RemoveColumn(column.Value);
                }
            }
        }

        await WriteScratchAsync(replayed, cancellationToken).ConfigureAwait(false);
        var hotkeys = totals.Select(t => new HotkeyReplay(t.Key, new Rao(t.Value.Recorded), new Rao(t.Value.Replayed)))
            .OrderByDescending(h => Int128.Abs(h.Difference)).ThenBy(h => h.Hotkey.Address, StringComparer.Ordinal).ToList();
        return new ReplayReport(replayed.Count, query.Overrides.ToString(), hotkeys);
    }

    /// <summary>The recorded epoch's inputs and drained emission, with the replay's permits and bonds and the new rules.</summary>
    private static EpochCompleted Replay(LedgerEngine engine, EpochCompleted recorded, Shadow shadow, RuleOverrides overrides)
    {
        var subnet = engine.State.Subnet(recorded.NetUid)!;
        var hyperparameters = overrides.Apply(subnet.Hyperparameters);
        var inputs = EpochInputs.Build(engine.State, recorded.NetUid, recorded.Block, hyperparameters)
            .Select((input, m) => input with { ValidatorPermit = [.. shadow.Permits], Bonds = shadow.BondsOf(m, input.N) })
            .ToArray();
        var (aggregate, perMechanism) = YumaMechanisms.Run(inputs, recorded.Emission.Value);
        shadow.Completed(aggregate, perMechanism);
        var terms = recorded.Terms.Select((t, i) => EpochOutcome.Term(t.Uid, t.Hotkey, t.Coldkey, aggregate, i)).ToArray();
        var bonds = EpochOutcome.Bonds(perMechanism);
        return recorded with
        {
            Rules = EpochInputs.Rules(recorded.Rules.Schedule, hyperparameters, engine.State.Parameters.StakeThreshold),
            InputDigest = EpochDigest.Compute(inputs, recorded.Emission.Value),
            Terms = terms,
            Bonds = bonds,
        };
    }

    private async Task WriteScratchAsync(List<EpochCompleted> replayed, CancellationToken ct)
    {
        await using (var drop = dataSource.CreateCommand($"drop schema if exists {ReplayLedger.ScratchSchema} cascade"))
        {
            await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        using var scratch = DocumentStore.For(o =>
        {
            LedgerStore.Configure(o, null);
            o.Connection(dataSource);
            o.DatabaseSchemaName = ReplayLedger.ScratchSchema;
            o.Events.DatabaseSchemaName = ReplayLedger.ScratchSchema;
            o.Projections.All.Clear();
            o.AutoCreateSchemaObjects = AutoCreate.All;
        });
        await using var session = scratch.LightweightSession();
        foreach (var e in replayed)
        {
            session.Events.Append(StreamIds.For(e), e);
        }

        await session.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>A subnet's validator permits and bonds under the replayed rules, kept in step with registrations.</summary>
    private sealed class Shadow
    {
        private readonly List<bool> _permits = [];
        private readonly List<(ushort Col, ushort Val)[]>[] _bonds;

        private Shadow(int mechanisms) => _bonds = [.. Enumerable.Range(0, mechanisms).Select(_ => new List<(ushort, ushort)[]>())];

        public IEnumerable<bool> Permits => _permits;

        public static Shadow Of(LedgerState state, NetUid netUid)
        {
            var subnet = state.Subnet(netUid)!;
            var shadow = new Shadow(SubnetState.MaxMechanisms);
            for (var i = 0; i < subnet.N; i++)
            {
                var uid = new Uid((ushort)i);
                shadow._permits.Add(subnet.ValidatorPermit(uid));
                for (var m = 0; m < SubnetState.MaxMechanisms; m++)
                {
                    shadow._bonds[m].Add([.. subnet.Bonds((ushort)m, uid).ToArray().Select(b => (b.Uid, b.Value))]);
                }
            }

            return shadow;
        }

        public (ushort Col, ushort Val)[][] BondsOf(int mechanism, int n) =>
            [.. Enumerable.Range(0, n).Select(i => i < _bonds[mechanism].Count ? _bonds[mechanism][i] : [])];

        public void Completed(YumaOutput aggregate, YumaOutput[] perMechanism)
        {
            for (var i = 0; i < aggregate.NewValidatorPermit.Length && i < _permits.Count; i++)
            {
                _permits[i] = aggregate.NewValidatorPermit[i];
            }

            for (var m = 0; m < perMechanism.Length; m++)
            {
                for (var i = 0; i < perMechanism[m].Bonds.Length && i < _bonds[m].Count; i++)
                {
                    _bonds[m][i] = perMechanism[m].Bonds[i];
                }
            }
        }

        /// <summary>As <c>replace_neuron</c>: a new uid starts without a permit or bonds; a replaced one loses both.</summary>
        public void Registered(NeuronRegistered n)
        {
            var uid = n.Uid.Value;
            if (uid == _permits.Count)
            {
                _permits.Add(false);
                foreach (var rows in _bonds)
                {
                    rows.Add([]);
                }

                return;
            }

            _permits[uid] = false;
            foreach (var rows in _bonds)
            {
                rows[uid] = [];
            }
        }

        public void RemoveColumn(ushort column)
        {
            foreach (var rows in _bonds)
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    rows[i] = [.. rows[i].Where(b => b.Col != column)];
                }
            }
        }
    }
}
