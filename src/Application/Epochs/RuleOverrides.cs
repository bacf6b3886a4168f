using System.Globalization;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Domain.Subnets;

namespace Bittensor.Ledger.Application.Epochs;

/// <summary>Hyperparameters a replay sets over the recorded ones (<c>--set kappa=N</c>, <c>--yuma3 on</c>), by their
/// interchange names (docs/import-format.md), applied to every subnet at every epoch of the replay. Immutable:
/// <see cref="Set"/> returns a new value, so the shared <see cref="None"/> can never change.</summary>
public sealed class RuleOverrides
{
    private readonly (string Name, long Value)[] _values;

    private RuleOverrides((string Name, long Value)[] values) => _values = values;

    public static RuleOverrides None { get; } = new([]);

    public bool IsEmpty => _values.Length == 0;

    /// <summary>Parses <c>name=value</c> pairs; the error names the pair and why.</summary>
    public static RuleOverrides Parse(IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var result = None;
        foreach (var assignment in assignments)
        {
            var eq = assignment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"--set {assignment}: expected name=value");
            }

            var name = assignment[..eq].Trim();
            var text = assignment[(eq + 1)..].Trim();
            result = result.Set(name, text);
        }

        return result;
    }

    /// <summary>These overrides with one hyperparameter set by name (replacing an earlier value of it); booleans take
    /// on/off/true/false.</summary>
    public RuleOverrides Set(string name, string text)
    {
        var field = Array.Find(ParameterFields.Hyperparameters, f => f.Name == name)
            ?? throw new FormatException($"--set {name}: not a hyperparameter (known: {string.Join(", ", ParameterFields.Hyperparameters.Select(f => f.Name))})");
        long value;
        switch (field.Kind)
        {
            case ScalarKind.Bool:
                value = text switch
                {
                    "on" or "true" or "1" => 1,
                    "off" or "false" or "0" => 0,
                    _ => throw new FormatException($"--set {name}={text}: expected on or off"),
                };
                break;
            case ScalarKind.U16 when ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u16):
                value = u16;
                break;
            case ScalarKind.I16 when short.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i16):
                value = i16;
                break;
            case ScalarKind.U64 when ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u64):
                value = unchecked((long)u64);
                break;
            default:
                throw new FormatException($"--set {name}={text}: not a valid {field.Kind.ToString().ToLowerInvariant()}");
        }

        return new([.. _values.Where(v => v.Name != name), (name, value)]);
    }

    public SubnetHyperparameters Apply(SubnetHyperparameters recorded)
    {
        var result = recorded;
        foreach (var (name, value) in _values)
        {
            result = Array.Find(ParameterFields.Hyperparameters, f => f.Name == name)!.Set(result, value);
        }

        return result;
    }

    public override string ToString() => IsEmpty ? "recorded rules" : string.Join(", ", _values.Select(v => $"{v.Name}={v.Value}"));
}
