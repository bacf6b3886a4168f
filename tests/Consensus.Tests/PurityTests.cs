using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>
/// Consensus must stay pure (style guide 3.5): BCL references only, no clock/IO/randomness/tasks, and no floating point
/// on the computation path. Checked on the compiled assembly's metadata and IL.
/// </summary>
public sealed class PurityTests
{
    private static readonly string[] BannedTypes =
    [
        "System.DateTime", "System.DateTimeOffset", "System.Random", "System.Environment", "System.Diagnostics.Stopwatch",
        "System.TimeProvider", "System.Threading.Thread",
    ];

    private static readonly string[] BannedNamespaces = ["System.IO", "System.Net", "System.Threading.Tasks"];

    /// <summary>Diagnostics-only members allowed to touch floating point.</summary>
    private static readonly string[] FloatAllowedMethods = ["ToDouble", "FromF32", "FromF64"];

    private static PEReader OpenAssembly() => new(File.OpenRead(typeof(YumaEpoch).Assembly.Location));

    [Fact]
    public void AssemblyReferences_AreOnlyTheBcl()
    {
        using var pe = OpenAssembly();
        var md = pe.GetMetadataReader();
        var names = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
        names.ShouldNotBeEmpty();
        // System.Runtime.Intrinsics: the hardware 128/64 division (Wide.DivLu).
        string[] bcl = ["System.Runtime", "System.Runtime.Intrinsics", "System.Collections", "System.Memory", "System.Linq"];
        names.ShouldAllBe(n => bcl.Contains(n));
    }

    [Fact]
    public void TypeReferences_AvoidClockIoRandomnessAndTasks()
    {
        using var pe = OpenAssembly();
        var md = pe.GetMetadataReader();
        var referenced = md.TypeReferences.Select(h => md.GetTypeReference(h)).Select(t => $"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}").ToList();
        referenced.ShouldContain("System.Int128");
        referenced.ShouldNotContain(t => BannedTypes.Contains(t));
        referenced.ShouldNotContain(t => BannedNamespaces.Any(ns => t.StartsWith(ns + ".", StringComparison.Ordinal)));
    }

    [Fact]
    public void MathReferences_NeverTakeFloatingPointArguments()
    {
        using var pe = OpenAssembly();
        var md = pe.GetMetadataReader();
        var provider = new TypeNameProvider(md);
        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference || member.GetKind() != MemberReferenceKind.Method)
            {
                continue;
            }

            var parent = md.GetTypeReference((TypeReferenceHandle)member.Parent);
            string typeName = $"{md.GetString(parent.Namespace)}.{md.GetString(parent.Name)}";
            if (typeName is not ("System.Math" or "System.MathF"))
            {
                continue;
            }

            var signature = member.DecodeMethodSignature(provider, null);
            var types = signature.ParameterTypes.Append(signature.ReturnType).ToList();
            types.ShouldNotContain(t => t == "System.Double" || t == "System.Single", $"{typeName}.{md.GetString(member.Name)}");
        }
    }

    [Fact]
    public void MethodBodies_UseNoFloatingPointOutsideDiagnostics()
    {
        var floatOps = new HashSet<short> { OpCodes.Conv_R4.Value, OpCodes.Conv_R8.Value, OpCodes.Conv_R_Un.Value, OpCodes.Ldc_R4.Value, OpCodes.Ldc_R8.Value };
        var operandSize = typeof(OpCodes).GetFields().Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value, o => o.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => -1,
                _ => 4,
            });

        using var pe = OpenAssembly();
        var md = pe.GetMetadataReader();
        var offenders = new List<string>();
        int scanned = 0;
        foreach (var handle in md.MethodDefinitions)
        {
            var method = md.GetMethodDefinition(handle);
            string name = md.GetString(method.Name);
            if (method.RelativeVirtualAddress == 0 || FloatAllowedMethods.Contains(name))
            {
                continue;
            }

            var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!;
            scanned++;
            for (int i = 0; i < il.Length;)
            {
                short code = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
                i += il[i] == 0xFE ? 2 : 1;
                if (floatOps.Contains(code))
                {
                    var type = md.GetTypeDefinition(method.GetDeclaringType());
                    offenders.Add($"{md.GetString(type.Name)}.{name}");
                    break;
                }

                int size = operandSize[code];
                i += size >= 0 ? size : 4 + (4 * BitConverter.ToInt32(il, i));
            }
        }

        scanned.ShouldBeGreaterThan(100);
        offenders.ShouldBeEmpty();
    }

    private sealed class TypeNameProvider(MetadataReader md) : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.Double => "System.Double",
            PrimitiveTypeCode.Single => "System.Single",
            _ => $"System.{typeCode}",
        };

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => md.GetString(md.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var t = md.GetTypeReference(handle);
            return $"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}";
        }

        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";
        public string GetByReferenceType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => $"{genericType}<{string.Join(",", typeArguments)}>";
        public string GetGenericMethodParameter(object? genericContext, int index) => $"!!{index}";
        public string GetGenericTypeParameter(object? genericContext, int index) => $"!{index}";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => "spec";
    }
}
