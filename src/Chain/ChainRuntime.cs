using Bittensor.Ledger.Chain.Events;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;
using Bittensor.Ledger.Chain.Storage;

namespace Bittensor.Ledger.Chain;

/// <summary>One runtime (spec version) with the decoders its metadata gives: built once and shared by every block it ran.</summary>
public sealed class ChainRuntime
{
    public ChainRuntime(uint specVersion, RuntimeMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        SpecVersion = specVersion;
        Metadata = metadata;
        Values = new ValueDecoder(metadata.Types);
        Keys = new StorageKeys(metadata, Values);
        Events = new EventDecoder(metadata, Values);
    }

    public uint SpecVersion { get; }

    public RuntimeMetadata Metadata { get; }

    public ValueDecoder Values { get; }

    public StorageKeys Keys { get; }

    public EventDecoder Events { get; }
}
