using Bittensor.Ledger.Projections.SubnetStatus;
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
        return o;
    }
}
