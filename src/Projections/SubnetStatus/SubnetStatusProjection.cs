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
/// (inline). One method per subnet event type, as Marten 9's generated dispatch requires public methods.</summary>
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

    public void Project(SubnetRegistered e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(HyperparametersChanged e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(SubnetEmissionShareSet e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(EpochTriggered e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(NeuronRegistered e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(BondsReset e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(WeightsSet e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(StakeAdded e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(StakeRemoved e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(StakeMoved e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(AlphaBurned e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(AlphaRecycled e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(EpochCompleted e, IDocumentOperations ops) => Upsert(e, ops);

    public void Project(SubnetEmissionPosted e, IDocumentOperations ops) => Upsert(e, ops);

    private static void Upsert(ISubnetEvent e, IDocumentOperations ops)
    {
        var d = SubnetStatusTransformation.Delta(e);
        ops.QueueSqlCommand(SubnetStatusTransformation.UpsertSql,
            (int)d.NetUid, d.Neurons, checked((long)d.LatestBlock), d.WeightSubmissions, d.StakeText);
    }
}
