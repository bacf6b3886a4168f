using System.Text.Json.Nodes;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.IntegrationTests.Epochs;

/// <summary>
/// A second, deliberately plain reading of the stored events into what an epoch reads — written from the spec (§1,
/// §4.7 replacement, §2.6 E6 bonds), not from the ledger's engine — so a test can ask `ledger yuma` for the epoch the
/// events describe and compare it with the recorded <see cref="EpochCompleted"/>.
/// </summary>
internal sealed class IndependentEpochState
{
    private readonly Dictionary<ushort, Subnet> _subnets = [];
    private readonly Dictionary<(ushort, string), ulong> _stake = [];

    public void Apply(ILedgerEvent e)
    {
        switch (e)
        {
            case SubnetRegistered r:
                _subnets[r.NetUid.Value] = new Subnet { Hyperparameters = r.Hyperparameters, OwnerHotkey = r.OwnerHotkey.Address };
                break;
            case HyperparametersChanged h:
                _subnets[h.NetUid.Value].Hyperparameters = h.Hyperparameters;
                break;
            case NeuronRegistered n:
                _subnets[n.NetUid.Value].Register(n.Uid.Value, n.Hotkey.Address, n.Block.Value);
                break;
            case WeightsSet w when w.Mechanism == 0:
                var s = _subnets[w.NetUid.Value];
                s.Weights[w.Uid.Value] = [.. w.Uids.Zip(w.Values)];
                s.LastUpdate[w.Uid.Value] = w.Block.Value;
                break;
            case BondsReset b:
                var subnet = _subnets[b.NetUid.Value];
                var column = (ushort)subnet.Hotkeys.IndexOf(b.Hotkey.Address);
                for (var i = 0; i < subnet.Bonds.Count; i++)
                {
                    subnet.Bonds[i] = [.. subnet.Bonds[i].Where(x => x.Col != column)];
                }

                break;
            case StakeAdded a:
                Add(a.NetUid.Value, a.Hotkey.Address, (long)a.Alpha.Value);
                break;
            case StakeRemoved r:
                Add(r.NetUid.Value, r.Hotkey.Address, -(long)r.Alpha.Value);
                break;
            case StakeMoved m:
                Add(m.NetUid.Value, m.FromHotkey.Address, -(long)m.Alpha.Value);
                Add(m.NetUid.Value, m.ToHotkey.Address, (long)m.Alpha.Value);
                break;
            case AlphaBurned b:
                Add(b.NetUid.Value, b.Hotkey.Address, -(long)b.Alpha.Value);
                break;
            case AlphaRecycled r:
                Add(r.NetUid.Value, r.Hotkey.Address, -(long)r.Alpha.Value);
                break;
            case EpochCompleted c:
                var done = _subnets[c.NetUid.Value];
                for (var i = 0; i < c.Terms.Length; i++)
                {
                    done.Permits[i] = c.Terms[i].ValidatorPermit;
                    done.Bonds[i] = [];
                }

                foreach (var row in c.Bonds.Where(r => r.Mechanism == 0))
                {
                    done.Bonds[row.Uid.Value] = [.. row.Row.Select(x => (x.Uid, x.Value))];
                }

                done.LastStep = c.Block.Value;
                break;
            case SubnetEmissionPosted p:
                foreach (var posting in p.Postings)
                {
                    if (posting.From.Kind == AccountKind.Stake)
                    {
                        Add(p.NetUid.Value, posting.From.Hotkey!.Value.Address, -(long)posting.Amount.Value);
                    }

                    if (posting.To.Kind == AccountKind.Stake)
                    {
                        Add(p.NetUid.Value, posting.To.Hotkey!.Value.Address, (long)posting.Amount.Value);
                    }
                }

                break;
        }
    }

    /// <summary>The `ledger yuma` input (docs/yuma-json.md) for the subnet's epoch at <paramref name="block"/>.</summary>
    public JsonObject YumaInput(ushort netuid, ulong block, ulong raoEmission)
    {
        var s = _subnets[netuid];
        var h = s.Hyperparameters;
        var n = s.Hotkeys.Count;
        var owner = s.Hotkeys.IndexOf(s.OwnerHotkey);
        return new JsonObject
        {
            ["current_block"] = block,
            ["rao_emission"] = raoEmission,
            ["hyperparameters"] = new JsonObject
            {
                ["tempo"] = h.Tempo,
                ["activity_cutoff"] = Math.Max(1UL, (ulong)h.ActivityCutoffFactorMilli * h.Tempo / 1000),
                ["stake_threshold"] = 0,
                ["owner_uid"] = owner < 0 ? null : owner,
                ["max_allowed_validators"] = h.MaxAllowedValidators,
                ["kappa"] = h.Kappa,
                ["bonds_penalty"] = h.BondsPenalty,
                ["yuma3"] = h.Yuma3,
                ["liquid_alpha"] = h.LiquidAlpha,
                ["alpha_low"] = h.AlphaLow,
                ["alpha_high"] = h.AlphaHigh,
                ["alpha_sigmoid_steepness"] = h.AlphaSigmoidSteepness,
                ["bonds_moving_average"] = h.BondsMovingAverage,
                ["last_mechanism_step_block"] = s.LastStep,
            },
            ["state"] = new JsonObject
            {
                ["n"] = n,
                ["stake_alpha_rao"] = new JsonArray([.. s.Hotkeys.Select(k => (JsonNode)_stake.GetValueOrDefault((netuid, k)))]),
                ["block_at_registration"] = new JsonArray([.. s.Registered.Select(b => (JsonNode)b)]),
                ["last_update"] = new JsonArray([.. s.LastUpdate.Select(b => (JsonNode)b)]),
                ["validator_permit"] = new JsonArray([.. s.Permits.Select(p => (JsonNode)p)]),
                ["weights"] = Rows(s.Weights),
                ["bonds"] = Rows(s.Bonds),
            },
        };
    }

    private static JsonArray Rows(List<(ushort Col, ushort Val)[]> rows) =>
        new([.. rows.Select(r => (JsonNode)new JsonArray([.. r.Select(x => (JsonNode)new JsonArray(x.Col, x.Val))]))]);

    private void Add(ushort netuid, string hotkey, long amount) =>
        _stake[(netuid, hotkey)] = checked((ulong)((long)_stake.GetValueOrDefault((netuid, hotkey)) + amount));

    private sealed class Subnet
    {
        public required SubnetHyperparameters Hyperparameters { get; set; }
        public required string OwnerHotkey { get; init; }
        public ulong LastStep { get; set; }
        public List<string> Hotkeys { get; } = [];
        public List<ulong> Registered { get; } = [];
        public List<ulong> LastUpdate { get; } = [];
        public List<bool> Permits { get; } = [];
        public List<(ushort Col, ushort Val)[]> Weights { get; } = [];
        public List<(ushort Col, ushort Val)[]> Bonds { get; } = [];

        public void Register(ushort uid, string hotkey, ulong block)
        {
            if (uid == Hotkeys.Count)
            {
                Hotkeys.Add(hotkey);
                Registered.Add(block);
                LastUpdate.Add(block);
                Permits.Add(false);
                Weights.Add([]);
                Bonds.Add([]);
                return;
            }

            // replace_neuron: the uid's own rows go, everyone's weight on it becomes 0, permit false, both blocks = now.
            Hotkeys[uid] = hotkey;
            Registered[uid] = block;
            LastUpdate[uid] = block;
            Permits[uid] = false;
            Weights[uid] = [];
            Bonds[uid] = [];
            for (var i = 0; i < Weights.Count; i++)
            {
                Weights[i] = [.. Weights[i].Select(x => x.Col == uid ? (x.Col, (ushort)0) : x)];
            }
        }
    }
}
