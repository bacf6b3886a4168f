using System.Text.Json;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Projections;
using Bittensor.Ledger.Projections.Tailing;
using JasperFx;
using JasperFx.Events;
using Marten;
using Weasel.Core;

namespace Bittensor.Ledger.Application.Store;

/// <summary>How the ledger configures Marten: its own schema, string stream ids (see <see cref="StreamIds"/>),
/// Quick append, every Domain event registered, and the Domain's value-type JSON converters (they are attributes on
/// the types, so System.Text.Json finds them without registration) plus the store's compact <see cref="SparseEntryJson"/>. See docs/adr/0001-streams.md.</summary>
public static class LedgerStore
{
    public const string Schema = "ledger";

    /// <summary>Every concrete Domain event type, found once by reflection so that a new event in Domain is stored
    /// without a second list to keep in step.</summary>
    public static IReadOnlyList<Type> EventTypes { get; } =
        [.. typeof(ILedgerEvent).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ILedgerEvent).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];

    /// <summary>The stored type name of an event: snake_case of the record's name (<c>WeightsSet</c> →
    /// <c>weights_set</c>), the interchange format's spelling. Set explicitly so the bulk import writes exactly what
    /// Marten maps back.</summary>
    public static string EventTypeName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var sb = new System.Text.StringBuilder(type.Name.Length + 8);
        foreach (var c in type.Name)
        {
            if (char.IsUpper(c))
            {
                if (sb.Length > 0)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    public static void Configure(StoreOptions o, string? connectionString)
    {
        if (connectionString is not null)
        {
            o.Connection(connectionString);
        }

        o.DatabaseSchemaName = Schema;
        o.Events.DatabaseSchemaName = Schema;
        o.Events.StreamIdentity = StreamIdentity.AsString;
        o.Events.AppendMode = EventAppendMode.Quick;
        o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.Default, json => json.Converters.Add(new SparseEntryJson()));
        o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        foreach (var type in EventTypes)
        {
            o.Events.AddEventType(type);
            o.Events.MapEventType(type, EventTypeName(type));
        }

        o.Storage.ExtendedSchemaObjects.Add(NaturalKeys.Table());
        o.Storage.ExtendedSchemaObjects.Add(LedgerRuns.Table());
        o.Storage.ExtendedSchemaObjects.Add(ChainCheckpoints.Table());
        o.AddLedgerProjections();
    }

    /// <summary>A store built from <see cref="Configure"/>, for the CLI and tests that need no host.</summary>
    public static DocumentStore Create(string? connectionString) => DocumentStore.For(o => Configure(o, connectionString));
}
