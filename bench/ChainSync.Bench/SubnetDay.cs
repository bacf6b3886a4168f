using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Tests.Replay;

namespace Bittensor.Ledger.ChainSync.Bench;

/// <summary>
/// One subnet's day, built procedurally (a full <see cref="TestChain"/> of 7,200 blocks would copy the storage into
/// every block): subnet 52 with 256 uids, 64 validators with full weight rows, tempo 360; epochs on spec 393's schedule
/// (<c>(B + netuid + 2) % (tempo + 1) == 0</c>), each a <see cref="TestEpoch"/> in its own 2-block chain (B−1, B) with
/// outputs computed by the Consensus port and the bonds of the epoch before; per block a heavy-tailed number of
/// StakeAdded/StakeRemoved extrinsics on subnet 52 and on subnet 9 (which the sync must skip), each with the
/// ExtrinsicSuccess and TransactionFeePaid a real extrinsic emits; each validator a WeightsSet every 100–360 blocks,
/// its row changing with each set. Deterministic for a seed.
/// </summary>
internal sealed class SubnetDay
{
    public const ushort Netuid = 52;
    public const ushort OtherNetuid = 9;
    public const int N = 256;
    public const int Validators = 64;
    public const ushort Tempo = 360;
    private const string Pallet = "SubtensorModule";

    // row versions per validator: the blocks where each WeightsSet happened, in order
    private readonly long[][] _sets;
    private readonly ulong[] _alpha;
    private readonly ulong[] _root;
    private readonly int _seed;

    public SubnetDay(long from, int blocks, int epochs, int seed)
    {
        From = from;
        To = from + blocks - 1;
        _seed = seed;
        Template = new TestChain(from);
        EventsEntry = Template.Metadata.Storage("System", "Events");
        EventsKey = Hex(Template.Keys.Key(EventsEntry));
        var rng = new Random(seed);

        var first = from + 1;
        while ((first + Netuid + 2) % (Tempo + 1) != 0)
        {
            first++;
        }

        EpochBlocks = [.. Enumerable.Range(0, epochs).Select(k => first + (k * (Tempo + 1L)))];
        if (EpochBlocks[^1] > To)
        {
            throw new ArgumentException($"{epochs} epochs of tempo {Tempo} do not fit in blocks {from}..{To}");
        }

        // Stake: validators heavy (10^3..10^6 alpha), miners light; some validators with root stake.
        _alpha = [.. Enumerable.Range(0, N).Select(uid => uid < Validators
            ? (ulong)(1e12 * Math.Pow(10, 3 * rng.NextDouble()))
            : (ulong)(1e9 * Math.Pow(10, 2 * rng.NextDouble())))];
        _root = [.. Enumerable.Range(0, N).Select(uid => uid < Validators && rng.NextDouble() < 0.5
            ? (ulong)(1e12 * Math.Pow(10, 2 * rng.NextDouble()))
            : 0UL)];

        var epochSet = EpochBlocks.ToHashSet();
        _sets = new long[Validators][];
        for (var v = 0; v < Validators; v++)
        {
            var list = new List<long>();
            for (var b = from + rng.Next(0, 360); b <= To; b += rng.Next(100, 361))
            {
                // No submission in an epoch block itself: its row would be the epoch's next input, not this one's.
                list.Add(epochSet.Contains(b) ? b + 1 : b);
            }

            _sets[v] = [.. list];
        }

        var weightsEntry = Template.Metadata.Storage(Pallet, "Weights");
        WeightsKeys = Enumerable.Range(0, Validators).ToDictionary(
            v => Hex(Template.Keys.KeyFromText(weightsEntry, [Text(Netuid), Text(v)])), v => v, StringComparer.Ordinal);
        WeightsValues = [.. Enumerable.Range(0, Validators).Select(v =>
            Enumerable.Range(0, _sets[v].Length + 1).Select(version => Hex(Template.Encoder.Encode(weightsEntry.ValueType, Pairs(Row(v, version))))).ToArray())];

        // Every block's System.Events, pre-encoded; an epoch block's come from its epoch chain (with these as extras).
        var submissions = Enumerable.Range(0, Validators).SelectMany(v => _sets[v].Select(b => (Block: b, Uid: v))).ToLookup(s => s.Block, s => s.Uid);
        var records = new Dictionary<long, JsonNode[]>();
        for (var b = from; b <= To + 1; b++)
        {
            records[b] = BlockRecords(rng, submissions[b]);
        }

        Events = records.Where(r => !epochSet.Contains(r.Key)).ToDictionary(r => r.Key, r => EncodeEvents(r.Value));
        StakeEvents = records.Where(r => r.Key <= To).Select(r => r.Value).Sum(r => r.Count(e => e["event"]![Pallet] is JsonObject o && (o.ContainsKey("StakeAdded") || o.ContainsKey("StakeRemoved"))));
        StakeEventsOf52 = records.Where(r => r.Key <= To).Select(r => r.Value).Sum(r => r.Count(e => e["event"]![Pallet] is JsonObject o
            && (o["StakeAdded"] ?? o["StakeRemoved"]) is JsonArray f && f[4]!.GetValue<ushort>() == Netuid));
        WeightSubmissions = _sets.Sum(s => s.Count(b => b <= To));
        EventRecords = records.Where(r => r.Key <= To).Sum(r => r.Value.Length);

        // The epochs, each on the bonds the one before left.
        var epochsBuilt = new List<TestChain>();
        (ushort Col, ushort Val)[][]? bonds = null;
        foreach (var block in EpochBlocks)
        {
            var epoch = new TestEpoch
            {
                Netuid = Netuid,
                Block = block,
                Tempo = Tempo,
                Alpha = _alpha,
                Root = _root,
                Weights = [[.. Enumerable.Range(0, Validators).Select(v => Row(v, VersionAt(v, block - 1)))]],
                Bonds = bonds is null ? null : [bonds],
                ExtraEvents = records[block],
            };
            epochsBuilt.Add(epoch.Build());
            bonds = epoch.Expected.PerMechanism[0].Bonds;
            EpochEventRecords += epoch.Mechanisms + records[block].Length;
        }

        Epochs = epochsBuilt;
    }

    public long From { get; }

    public long To { get; }

    public IReadOnlyList<long> EpochBlocks { get; }

    /// <summary>The 2-block chain (B−1, B) of each epoch, in <see cref="EpochBlocks"/> order.</summary>
    public IReadOnlyList<TestChain> Epochs { get; }

    /// <summary>A chain whose metadata, keys and encoder encode the day's values.</summary>
    public TestChain Template { get; }

    public Bittensor.Ledger.Chain.Metadata.StorageEntry EventsEntry { get; }

    public string EventsKey { get; }

    /// <summary>The encoded System.Events of every block but the epoch blocks.</summary>
    public IReadOnlyDictionary<long, string> Events { get; }

    /// <summary>The Weights key of each validator.</summary>
    public IReadOnlyDictionary<string, int> WeightsKeys { get; }

    /// <summary>The encoded Weights row of each validator, by version (0: before its first set in the day).</summary>
    public string[][] WeightsValues { get; }

    public int StakeEvents { get; }

    public int StakeEventsOf52 { get; }

    public int WeightSubmissions { get; }

    public int EventRecords { get; }

    public int EpochEventRecords { get; private set; }

    /// <summary>How many WeightsSet of validator <paramref name="v"/> happened at or before <paramref name="block"/>.</summary>
    public int VersionAt(int v, long block)
    {
        var i = Array.BinarySearch(_sets[v], block);
        return i >= 0 ? i + 1 : ~i;
    }

    /// <summary>Validator <paramref name="v"/>'s full row (all 256 uids) after its <paramref name="version"/>-th submission.</summary>
    private (ushort Col, ushort Val)[] Row(int v, int version)
    {
        var rng = new Random(HashCode.Combine(_seed, v, version));
        return [.. Enumerable.Range(0, N).Select(uid => ((ushort)uid, (ushort)rng.Next(1, 65536)))];
    }

    private static JsonNode[] BlockRecords(Random rng, IEnumerable<int> submitters)
    {
        var records = new List<JsonNode>();
        var extrinsic = 1; // extrinsic 0 is the timestamp
        records.Add(Success(0, "Mandatory", "Yes"));
        foreach (var uid in submitters)
        {
            records.Add(Event(extrinsic, Pallet, "WeightsSet", new JsonArray(Netuid, uid)));
            records.Add(Success(extrinsic++, "Normal", "No"));
        }

        foreach (var netuid in new[] { Netuid, OtherNetuid })
        {
            for (var i = HeavyTail(rng); i > 0; i--)
            {
                var tao = (ulong)Math.Min(1e15, 1e8 * Math.Pow(rng.NextDouble() + 1e-9, -1 / 1.2));
                var alpha = (ulong)(tao * (0.5 + rng.NextDouble()));
                var coldkey = TestChain.Account(10_000 + rng.Next(0, 5_000));
                var name = rng.NextDouble() < 0.6 ? "StakeAdded" : "StakeRemoved";
                records.Add(Event(extrinsic, Pallet, name, new JsonArray(coldkey, TestEpoch.Hotkey(rng.Next(0, N)), tao, alpha, netuid, tao / 2000)));
                records.Add(Event(extrinsic, "TransactionPayment", "TransactionFeePaid", new JsonObject { ["who"] = coldkey, ["actual_fee"] = 159_245, ["tip"] = 0 }));
                records.Add(Success(extrinsic++, "Normal", "Yes"));
            }
        }

        return [.. records];
    }

    /// <summary>A Pareto(1.5) count less one, capped: mostly 0–2, now and then dozens (mean about 2).</summary>
    private static int HeavyTail(Random rng) => (int)Math.Min(64, Math.Floor(Math.Pow(1 - rng.NextDouble(), -1 / 1.5)) - 1 + rng.Next(0, 2));

    private string EncodeEvents(JsonNode[] records)
    {
        var list = new JsonArray([.. records.Select(r =>
        {
            var record = r.DeepClone().AsObject();
            record["topics"] ??= new JsonArray();
            return (JsonNode)record;
        })]);
        return Hex(Template.Encoder.Encode(EventsEntry.ValueType, list));
    }

    private static JsonObject Success(int extrinsic, string dispatchClass, string paysFee) =>
        Event(extrinsic, "System", "ExtrinsicSuccess", new JsonObject
        {
            ["dispatch_info"] = new JsonObject
            {
                ["weight"] = new JsonObject { ["ref_time"] = 261_973_000, ["proof_size"] = 1493 },
                ["class"] = dispatchClass,
                ["pays_fee"] = paysFee,
            },
        });

    private static JsonObject Event(int extrinsic, string pallet, string name, JsonNode fields) => new()
    {
        ["phase"] = new JsonObject { ["ApplyExtrinsic"] = extrinsic },
        ["event"] = new JsonObject { [pallet] = new JsonObject { [name] = fields } },
    };

    private static JsonArray Pairs((ushort Col, ushort Val)[] row) => new([.. row.Select(p => (JsonNode)new JsonArray(p.Col, p.Val))]);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
