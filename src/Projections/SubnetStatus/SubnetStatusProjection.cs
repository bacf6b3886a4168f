using System.Diagnostics.CodeAnalysis;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.SubnetStatus;

/// <summary>Keeps the flat table ledger.subnet_status up to date in the transaction that appends the events
/// (inline), in the same way as the bulk import's batch writer.</summary>
[SuppressMessage("Performance", "CA1822", Justification = "Marten 9 discovers Project methods on the instance by convention.")]
public partial class SubnetStatusProjection : EventProjection
{
    public SubnetStatusProjection()
    {
        var table = new Table(SubnetStatusTransformation.Table);
        table.AddColumn<int>("netuid").AsPrimaryKey();
        table.AddColumn<long>("neurons").NotNull();
        table.AddColumn<long>("latest_block").NotNull();
        table.AddColumn<long>("weight_submissions").NotNull();
        table.AddColumn("total_stake", "numeric").NotNull();
        SchemaObjects.Add(table);
    }

    /// <summary>Every subnet fact, by its interface: the batch writer applies the same delta to every
    /// <see cref="ISubnetEvent"/>, so the two cannot cover different types.</summary>
    public void Project(ISubnetEvent e, IDocumentOperations ops) => Upsert(e, ops);

    private static void Upsert(ISubnetEvent e, IDocumentOperations ops)
    {
        var d = SubnetStatusTransformation.Delta(e);
        ops.QueueSqlCommand(SubnetStatusTransformation.UpsertSql,
            (int)d.NetUid, d.Neurons, checked((long)d.LatestBlock), d.WeightSubmissions, d.StakeText);
    }
}
