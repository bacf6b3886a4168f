namespace Bittensor.Ledger.Chain.Metadata;

/// <summary>The scalar kinds of <c>scale-info</c>'s <c>TypeDefPrimitive</c>, in their encoded order.</summary>
public enum Primitive : byte
{
    Bool,
    Char,
    Str,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    I8,
    I16,
    I32,
    I64,
    I128,
    I256,
}

/// <summary>One type of the runtime's portable registry: its Rust path (e.g. <c>sp_core::crypto::AccountId32</c>) and shape.</summary>
public sealed record RegistryType(uint Id, IReadOnlyList<string> Path, IReadOnlyList<TypeParameter> Parameters, TypeDef Def)
{
    private string? _pathName;

    /// <summary>The path joined with <c>::</c>, or the empty string for anonymous types (tuples, sequences, primitives).</summary>
    public string PathName => _pathName ??= string.Join("::", Path);

    /// <summary>The last segment of the path (<c>AccountId32</c>, <c>Option</c>), or the empty string.</summary>
    public string Name => Path.Count == 0 ? "" : Path[^1];
}

public sealed record TypeParameter(string Name, uint? Type);

/// <summary>A named or unnamed field of a composite or of an enum variant.</summary>
public sealed record FieldDef(string? Name, uint Type, string? TypeName);

/// <summary>One variant of an enum, with the index byte that selects it on the wire.</summary>
public sealed record VariantCase(string Name, byte Index, IReadOnlyList<FieldDef> Fields);

/// <summary>The shape of a registry type (<c>scale-info</c>'s <c>TypeDef</c>).</summary>
public abstract record TypeDef;

public sealed record CompositeDef(IReadOnlyList<FieldDef> Fields) : TypeDef;

public sealed record VariantDef(IReadOnlyList<VariantCase> Variants) : TypeDef
{
    private readonly VariantCase?[] _byIndex = Index(Variants);

    /// <summary>The variant with this index byte, or null when the enum has none.</summary>
    public VariantCase? ByIndex(byte index) => _byIndex[index];

    public VariantCase? ByName(string name) => Variants.FirstOrDefault(v => v.Name == name);

    private static VariantCase?[] Index(IReadOnlyList<VariantCase> variants)
    {
        var table = new VariantCase?[256];
        foreach (var variant in variants)
        {
            table[variant.Index] = variant;
        }

        return table;
    }
}

public sealed record SequenceDef(uint Element) : TypeDef;

public sealed record ArrayDef(uint Length, uint Element) : TypeDef;

public sealed record TupleDef(IReadOnlyList<uint> Elements) : TypeDef;

public sealed record PrimitiveDef(Primitive Kind) : TypeDef;

public sealed record CompactDef(uint Inner) : TypeDef;

public sealed record BitSequenceDef(uint StoreType, uint OrderType) : TypeDef;

/// <summary>The runtime's portable type registry: every type metadata refers to, by id.</summary>
public sealed class TypeRegistry
{
    private readonly RegistryType?[] _types;

    public TypeRegistry(IEnumerable<RegistryType> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        var list = types.ToList();
        var size = list.Count == 0 ? 0 : (int)list.Max(t => t.Id) + 1;
        _types = new RegistryType?[size];
        foreach (var type in list)
        {
            _types[type.Id] = type;
        }

        Count = list.Count;
    }

    public int Count { get; }

    public RegistryType this[uint id] =>
        id < _types.Length && _types[id] is { } type
            ? type
            : throw new KeyNotFoundException($"type id {id} is not in the runtime's type registry ({Count} types)");

    public IEnumerable<RegistryType> All => _types.OfType<RegistryType>();

    /// <summary>
    /// Follows composites with exactly one unnamed field (newtypes such as <c>NetUid(u16)</c>, <c>H256([u8; 32])</c>
    /// or <c>BoundedVec&lt;u8, S&gt;</c>) down to the type that carries the bytes.
    /// </summary>
    public RegistryType Unwrap(uint id)
    {
        var type = this[id];
        for (var depth = 0; depth < 32 && type.Def is CompositeDef { Fields.Count: 1 } composite && composite.Fields[0].Name is null; depth++)
        {
            type = this[composite.Fields[0].Type];
        }

        return type;
    }

    /// <summary>True for <c>u8</c> (possibly behind newtypes): sequences and arrays of it are shown as hex.</summary>
    public bool IsByte(uint id) => Unwrap(id).Def is PrimitiveDef { Kind: Primitive.U8 };
}
