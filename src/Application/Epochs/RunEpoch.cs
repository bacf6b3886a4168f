using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Marten;
using Mediator;

namespace Bittensor.Ledger.Application.Epochs;

/// <summary>Run subnet <see cref="NetUid"/>'s epoch number <see cref="Epoch"/> at <see cref="Block"/>, due by
/// <see cref="Schedule"/>. A Mediator command (docs/adr/0003-dispatcher.md, 0006-epochs.md), sent by the driver that
/// decides an epoch is due (the simulator, the HTTP API) and waits for its result; idempotent, so sending it again
/// after a crash is safe.</summary>
public sealed record RunEpoch(NetUid NetUid, ulong Epoch, Block Block, EpochSchedule Schedule) : ICommand<EpochRun>;

/// <summary>What became of a <see cref="RunEpoch"/>: the epoch it stored, or null when it was already stored (a
/// redelivered or repeated request changes nothing).</summary>
public sealed record EpochRun(RunEpoch Request, EpochCompleted? Completed, SubnetEmissionPosted? Posted)
{
    public bool AlreadyDone => Completed is null;
}

/// <summary>
/// The consensus handler: loads the subnet's state as of the epoch block (the process's <see cref="LedgerWriter"/>
/// engine, folded from the store), runs src/Consensus through <see cref="LedgerEngine.ComputeEpoch"/>, and appends
/// <see cref="EpochCompleted"/> and <see cref="SubnetEmissionPosted"/> with their natural keys in one transaction.
/// The keys' primary key makes a second append of the same (subnet, epoch) impossible, whatever the engine believes.
/// </summary>
public sealed class RunEpochHandler(LedgerWriter writer, IDocumentStore store) : ICommandHandler<RunEpoch, EpochRun>
{
    public async ValueTask<EpochRun> Handle(RunEpoch request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await writer.WithEngineAsync(engine => RunAsync(request, engine, store, ct), ct).ConfigureAwait(false);
    }

    private static async Task<EpochRun> RunAsync(RunEpoch request, LedgerEngine engine, IDocumentStore store, CancellationToken ct)
    {
        var subnet = engine.State.Subnet(request.NetUid)
            ?? throw new InvalidOperationException($"run_epoch: subnet {request.NetUid} does not exist");
        if (request.Epoch < subnet.EpochsCompleted)
        {
            return new EpochRun(request, null, null);
        }

        if (request.Epoch != subnet.EpochsCompleted)
        {
            throw new InvalidOperationException($"run_epoch: subnet {request.NetUid} has completed {subnet.EpochsCompleted} epoch(s); epoch {request.Epoch} is not next");
        }

        if (request.Block < engine.Clock)
        {
            throw new InvalidOperationException($"run_epoch: block {request.Block} is before the ledger's clock (block {engine.Clock})");
        }

        if (!engine.IsDue(request.NetUid, request.Block, request.Schedule))
        {
            throw new InvalidOperationException($"run_epoch: subnet {request.NetUid}'s epoch is not due at block {request.Block} by the {request.Schedule} schedule");
        }

        engine.AdvanceTo(request.Block);
        var result = engine.ComputeEpoch(request.NetUid, request.Schedule);
        await using (var session = store.LightweightSession())
        {
            WriterLock.HoldFence(session);
            foreach (var e in result.Events)
            {
                NaturalKeys.Append(session, e, NaturalKeys.Derived(e));
            }

            await session.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        engine.Apply(result.Completed);
        engine.Apply(result.Posted);
        return new EpochRun(request, result.Completed, result.Posted);
    }
}
