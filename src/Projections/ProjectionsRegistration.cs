using Bittensor.Ledger.Projections.BondsHistory;
using Bittensor.Ledger.Projections.ChainHistory;
using Bittensor.Ledger.Projections.EmissionHistory;
using Bittensor.Ledger.Projections.Metagraph;
using Bittensor.Ledger.Projections.StakeLedger;
using Bittensor.Ledger.Projections.SubnetStatus;
using Bittensor.Ledger.Projections.Supply;
using Bittensor.Ledger.Projections.Tailing;
using Bittensor.Ledger.Projections.WeightsHistory;
using JasperFx.Events.Projections;
using Marten;

namespace Bittensor.Ledger.Projections;

public static class ProjectionsRegistration
{
    /// <summary>Every projection of the ledger, with its lifecycle. See docs/adr/0001-streams.md for why the status
    /// read model is an inline flat table.</summary>
    public static StoreOptions AddLedgerProjections(this StoreOptions o)
    {
        // Inline: one upsert per event in the appending transaction. The bulk import does not go through Marten's
        // append pipeline; it applies the same SubnetStatusTransformation once per batch, in its own transaction.
        o.Projections.Add(new SubnetStatusProjection(), ProjectionLifecycle.Inline);

        // Async by tailing: the audit read models are kept by the Projector (src/Projections/Tailing), which reads
        // mt_events by seq_id and so sees imported events too; their tables are Marten-managed schema objects
        // (docs/adr/0006-projections.md).
        foreach (var table in Flat.SelectMany(p => p.Tables).Concat(ProjectorTables.All()))
        {
            o.Storage.ExtendedSchemaObjects.Add(table);
        }

        return o;
    }

    /// <summary>The tailing projections, in the order `ledger rebuild --all` and `ledger digest` list them.</summary>
    public static IReadOnlyList<IFlatProjection> Flat { get; } =
    [
        new StakeLedgerProjection(),
        new EmissionHistoryProjection(),
        new BondsHistoryProjection(),
        new WeightsHistoryProjection(),
        new NeuronHistoryProjection(),
        new SupplyProjection(),
        new ChainHistoryProjection(),
    ];
}
