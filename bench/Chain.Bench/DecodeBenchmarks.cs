using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Bittensor.Ledger.Chain.Events;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;
using Bittensor.Ledger.Chain.Storage;

namespace Bittensor.Ledger.Chain.Bench;

/// <summary>The recorded RPC answers the benchmarks decode.</summary>
public enum Payload
{
    /// <summary>System.Events of block 7,959,635 (spec 393): 182 event records.</summary>
    Events,

    /// <summary>SubtensorModule.LastUpdate(1) at block 6,553,223: Vec&lt;u64&gt; of 1024, decoded with spec 343 V14.</summary>
    LastUpdate,

    /// <summary>get_selective_mechagraph of SN1 at block 6,852,690 (spec 343 V15): 1024 uids.</summary>
    Mechagraph,

    /// <summary>Metadata_metadata_at_version(15) of spec 393: RuntimeMetadata.Parse.</summary>
    Metadata,
}

/// <summary>
/// Per recorded answer, in one run: the chain reader's decode of the SCALE bytes (<see cref="Decode"/>) beside what any
/// client pays first to get those bytes out of the JSON-RPC answer: <see cref="JsonDocument.Parse(string, JsonDocumentOptions)"/>
/// of the answer text (<see cref="JsonParse"/>) and <see cref="Convert.FromHexString(ReadOnlySpan{char})"/> of its hex
/// (<see cref="HexDecode"/>). Metadata is parsed once in the setup (it is parsed once per runtime), except in the
/// <see cref="Payload.Metadata"/> case, where parsing it is what is measured.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class DecodeBenchmarks
{
    private RecordedAnswer _answer = null!;
    private EventDecoder _events = null!;
    private StorageKeys _keys = null!;
    private StorageEntry _lastUpdate = null!;
    private ValueDecoder _values = null!;
    private RuntimeApiMethod _mechagraph = null!;

    [Params(Payload.Events, Payload.LastUpdate, Payload.Mechagraph, Payload.Metadata)]
    public Payload Payload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        switch (Payload)
        {
            case Payload.Events:
                _answer = ChainFixtures.SystemEvents();
                _events = new EventDecoder(ChainFixtures.Spec393());
                break;
            case Payload.LastUpdate:
                var v14 = ChainFixtures.Spec343V14();
                _answer = ChainFixtures.LastUpdate(v14);
                _keys = new StorageKeys(v14);
                _lastUpdate = v14.Storage("SubtensorModule", "LastUpdate");
                break;
            case Payload.Mechagraph:
                var v15 = ChainFixtures.Spec343V15();
                _answer = ChainFixtures.Mechagraph();
                _values = new ValueDecoder(v15.Types);
                _mechagraph = v15.FindApi("SubnetInfoRuntimeApi_get_selective_mechagraph")
                    ?? throw new InvalidOperationException("spec 343 V15 has no get_selective_mechagraph");
                break;
            case Payload.Metadata:
                _answer = ChainFixtures.Spec393Metadata();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(Payload), Payload, null);
        }

        Check(Decode());
        Throughput.Record(Payload, _answer);
    }

    /// <summary>The chain reader's decode of the answer's SCALE bytes into JSON nodes (or, for metadata, a registry).</summary>
    [Benchmark]
    public object? Decode() => Payload switch
    {
        Payload.Events => _events.Decode(_answer.Scale),
        Payload.LastUpdate => _keys.DecodeValue(_lastUpdate, _answer.Scale),
        Payload.Mechagraph => _values.DecodeAll(_mechagraph.Output, _answer.Scale, _mechagraph.CallName),
        _ => RuntimeMetadata.Parse(_answer.Scale),
    };

    /// <summary>JsonDocument.Parse of the whole answer text, and a look at its result (no string is materialized).</summary>
    [Benchmark]
    public JsonValueKind JsonParse()
    {
        using var document = JsonDocument.Parse(_answer.Json);
        return document.RootElement.GetProperty("result").ValueKind;
    }

    /// <summary>Convert.FromHexString of the result's hex digits (after <c>0x</c>).</summary>
    [Benchmark]
    public byte[] HexDecode() => Convert.FromHexString(_answer.Hex.AsSpan(2));

    /// <summary>The decoded values the fixture README states, so a broken decoder cannot produce a fast figure.</summary>
    private void Check(object? decoded)
    {
        var ok = (Payload, decoded) switch
        {
            (Payload.Events, IReadOnlyList<ChainEvent> records) =>
                records.Count == 182 && records[1].Name == "TimelockedWeightsRevealed",
            (Payload.LastUpdate, JsonArray updates) =>
                updates.Count == 1024 && updates[0]!.GetValue<long>() == 2_543_521,
            (Payload.Mechagraph, JsonObject graph) =>
                graph["emission"] is JsonArray emission && emission.Count == 1024
                && emission.Sum(e => e!.GetValue<long>()) == 82_000_457_507,
            (Payload.Metadata, RuntimeMetadata metadata) => metadata.Version == 15 && metadata.Types.Count > 0,
            _ => false,
        };
        if (!ok)
        {
            throw new InvalidDataException($"{Payload}: the decoded value is not the one the fixture README states");
        }

        if (decoded is RuntimeMetadata parsed)
        {
            _answer = _answer with { Items = parsed.Types.Count };
        }
    }
}
