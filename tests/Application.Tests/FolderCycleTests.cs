using System.Reflection;
using System.Reflection.Emit;
using Bittensor.Ledger.Application.Store;

namespace Bittensor.Ledger.Application.Tests;

/// <summary>
/// Application is slices (Import, Epochs, Audit, ChainSync, Simulation, Status) over two adapters (Store,
/// Interchange) plus the composition root (Wiring), and its folders may not depend on each other in a cycle
/// (docs/adr/0008). Checked on the compiled assembly: every type a folder's types name in their signatures or
/// method bodies counts, lambdas and async state machines included (they are nested in the type that wrote them).
/// </summary>
public sealed class FolderCycleTests
{
    private const string Root = "Bittensor.Ledger.Application.";

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    [Fact]
    public void Folders_DependOnEachOtherWithoutCycles()
    {
        var graph = FolderGraph(typeof(NaturalKeys).Assembly);
        graph.Keys.ShouldContain("Store");
        graph["Epochs"].ShouldContain("Store", "the epoch slice writes through the store adapter");

        var cycle = FindCycle(graph);
        cycle.ShouldBeNull($"folder cycle: {string.Join(" → ", cycle ?? [])}; the graph: {Describe(graph)}");
    }

    [Fact]
    public void Adapters_DependOnNoSlice()
    {
        var graph = FolderGraph(typeof(NaturalKeys).Assembly);
        string[] adapters = ["Store", "Interchange"];
        foreach (var adapter in adapters)
        {
            graph.GetValueOrDefault(adapter, []).ShouldBeSubsetOf(adapters, $"{adapter} is an adapter; the graph: {Describe(graph)}");
        }
    }

    private static Dictionary<string, HashSet<string>> FolderGraph(Assembly assembly)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            if (Folder(type) is not { } from)
            {
                continue;
            }

            var edges = graph.TryGetValue(from, out var set) ? set : graph[from] = [];
            foreach (var used in Referenced(type))
            {
                if (Folder(used) is { } to && to != from)
                {
                    edges.Add(to);
                }
            }
        }

        return graph;
    }

    private static string Describe(Dictionary<string, HashSet<string>> graph) => string.Join("; ",
        graph.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} → {string.Join(", ", g.Value.Order(StringComparer.Ordinal))}"));

    private static string? Folder(Type? type)
    {
        var ns = type?.Namespace;
        if (ns is null || !ns.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[Root.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new List<Type?> { type.BaseType };
        found.AddRange(type.GetInterfaces());
        found.AddRange(type.GetFields(all).Select(f => f.FieldType));
        found.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            found.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
            {
                found.Add(info.ReturnType);
            }

            found.AddRange(BodyReferences(method));
        }

        return found.OfType<Type>().SelectMany(Expand);
    }

    /// <summary>A type with its element and generic argument types (a List&lt;Foo&gt; names Foo).</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.HasElementType && type.GetElementType() is { } element)
        {
            foreach (var t in Expand(element))
            {
                yield return t;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var t in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return t;
            }
        }
    }

    /// <summary>The declaring types of the methods and fields, and the types, that the method's IL names.</summary>
    private static IEnumerable<Type?> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    Type? found;
                    try
                    {
                        var member = module.ResolveMember(token, typeArgs, methodArgs);
                        found = member as Type ?? member?.DeclaringType;
                    }
                    catch (ArgumentException)
                    {
                        found = null; // a token into another assembly's generic context: not one of ours
                    }

                    yield return found;
                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.SkipWhile(n => n != next), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }
}
