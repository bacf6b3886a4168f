using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Subnets;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Epochs;

/// <summary>The chain ran subnet <see cref="NetUid"/>'s epoch at <see cref="Block"/>: record that fact
/// (<c>epoch_triggered</c>) and compute the epoch at once, exactly as `ledger import` does for such a line (the same
/// natural key, the same <see cref="Domain.Epochs.LedgerEngine.TryApplyFact"/>, fact and epoch in one transaction).
/// The write behind `POST /api/v1/subnets/{netuid}/epochs`.</summary>
public sealed record TriggerEpoch(NetUid NetUid, Block Block) : ICommand<TriggeredEpoch>;

/// <summary>The epoch the ledger computed and stored for a <see cref="TriggerEpoch"/>.</summary>
public sealed record TriggeredEpoch(NetUid NetUid, ulong Epoch, Block Block, Rao Emission, string NaturalKey);

/// <summary>Nothing is due: the subnet's epoch already ran at that block, or the ledger is already past it.</summary>
public sealed class EpochNotDueException(string field, string reason) : Exception($"{field}: {reason}")
{
    /// <summary>What is not due and why, as every <c>field: reason</c> error is told.</summary>
    public Domain.FieldError Error { get; } = new(field, reason);
}

public sealed class TriggerEpochHandler(IDocumentStore store, NpgsqlDataSource dataSource, StoredEvents stored, SchemaReady schema, LockWaits waits)
    : ICommandHandler<TriggerEpoch, TriggeredEpoch>
{
    public async ValueTask<TriggeredEpoch> Handle(TriggerEpoch command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var fact = new EpochTriggered(command.Block, command.NetUid);
        var key = NdjsonCodec.ContentKey(fact);
        var derived = await RecordEventHandler.AppendFactAsync(store, dataSource, stored, schema, waits, fact, key, engine =>
            {
                var subnet = engine.State.Subnet(command.NetUid)
                    ?? throw new NotFoundException("netuid", $"subnet {command.NetUid} is not in this ledger (`ledger status` lists its subnets)");
                if (subnet.LastEpochBlock == command.Block)
                {
                    throw AlreadyRan(command);
                }

                if (engine.State.LastBlock is { } last && command.Block < last)
                {
                    throw new EpochNotDueException("block", $"block {command.Block} is before the ledger's last block {last}: an epoch is triggered at or after it");
                }
            }, cancellationToken).ConfigureAwait(false) ?? throw AlreadyRan(command);

        var completed = derived.OfType<EpochCompleted>().Single();
        return new TriggeredEpoch(completed.NetUid, completed.Epoch, completed.Block, completed.Emission, key);
    }

    private static EpochNotDueException AlreadyRan(TriggerEpoch command) =>
        new("block", $"subnet {command.NetUid}'s epoch already ran at block {command.Block}");
}
