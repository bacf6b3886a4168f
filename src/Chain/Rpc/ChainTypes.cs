namespace Bittensor.Ledger.Chain.Rpc;

/// <summary>A block header as <c>chain_getHeader</c> returns it, with the number parsed from hex.</summary>
/// <param name="Number">The block number.</param>
/// <param name="ParentHash">The parent block's hash, <c>0x</c> hex.</param>
/// <param name="StateRoot">The state trie root, <c>0x</c> hex.</param>
/// <param name="ExtrinsicsRoot">The extrinsics trie root, <c>0x</c> hex.</param>
/// <param name="DigestLogs">The digest log items, each SCALE-encoded as <c>0x</c> hex.</param>
public sealed record BlockHeader(
    long Number, string ParentHash, string StateRoot, string ExtrinsicsRoot, IReadOnlyList<string> DigestLogs);

/// <summary>The runtime version <c>state_getRuntimeVersion</c> returns.</summary>
/// <param name="SpecName">The runtime's name, <c>node-subtensor</c> on Bittensor.</param>
/// <param name="ImplName">The implementation's name.</param>
/// <param name="AuthoringVersion">The authoring version.</param>
/// <param name="SpecVersion">The spec version, which decides the metadata and the storage layouts.</param>
/// <param name="ImplVersion">The implementation version.</param>
/// <param name="TransactionVersion">The transaction version (0 when the node does not say).</param>
/// <param name="StateVersion">The state version (0 when the node does not say).</param>
/// <param name="Apis">The runtime APIs: the 8-byte id as <c>0x</c> hex and its version.</param>
public sealed record RuntimeVersion(
    string SpecName,
    string ImplName,
    uint AuthoringVersion,
    uint SpecVersion,
    uint ImplVersion,
    uint TransactionVersion,
    uint StateVersion,
    IReadOnlyList<RuntimeApi> Apis);

/// <summary>One runtime API a runtime declares.</summary>
/// <param name="Id">The API id (8 bytes of blake2 of its name), <c>0x</c> hex.</param>
/// <param name="Version">The API's version.</param>
public sealed record RuntimeApi(string Id, uint Version);

/// <summary>One key of a <c>state_queryStorageAt</c> answer.</summary>
/// <param name="Key">The full storage key.</param>
/// <param name="Value">The SCALE-encoded value, or null when nothing is stored under the key.</param>
public sealed record StorageValue(byte[] Key, byte[]? Value);
