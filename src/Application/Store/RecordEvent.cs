using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Domain;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Record one fact through Marten's own append, after the same shape rules (<see cref="EventShape"/>,
/// run by the validation pipeline) and Domain rules (<see cref="LedgerState.Check"/>) the import applies to each
/// line. <see cref="NaturalKey"/> makes it idempotent; without one it is the event's content key, the same key
/// the import gives the first such line of a block, so importing a file that holds a recorded fact skips it.</summary>
public sealed record RecordEvent(ILedgerEvent Event, string? NaturalKey = null) : ICommand<RecordedEvent>
{
    public sealed class Validator : AbstractValidator<RecordEvent>
    {
        public Validator()
        {
            RuleFor(x => x.Event).NotNull().Custom((e, ctx) =>
            {
                if (e is Domain.Emissions.IDerivedEvent)
                {
                    ctx.AddFailure("type", $"{e.GetType().Name} is computed by the ledger, not recorded");
                }
                else if (e is not null && EventShape.Validate(e) is { } error)
                {
                    ctx.AddFailure(error.Field, error.Reason);
                }
            });
        }
    }
}

/// <summary>Where the event went; <see cref="AlreadyPresent"/> when its natural key was already recorded.</summary>
public sealed record RecordedEvent(string StreamId, string NaturalKey, bool AlreadyPresent);

public sealed class RecordEventHandler(IDocumentStore store, NpgsqlDataSource dataSource, StoredEvents stored, SchemaReady schema, LockWaits waits)
    : ICommandHandler<RecordEvent, RecordedEvent>
{
    public async ValueTask<RecordedEvent> Handle(RecordEvent command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var e = command.Event;
        var key = command.NaturalKey ?? NdjsonCodec.ContentKey(e);
        var derived = await AppendFactAsync(store, dataSource, stored, schema, waits, e, key, check: null, cancellationToken).ConfigureAwait(false);
        return new RecordedEvent(StreamIds.For(e), key, AlreadyPresent: derived is null);
    }

    /// <summary>
    /// Appends one fact under <paramref name="key"/> as the import applies a line, holding the writer lock: skipped when
    /// the key is already recorded (null), else checked against the ledger folded from the store (<paramref name="check"/>
    /// first, then the Domain rules), and stored in one transaction with what the ledger computes for it (an
    /// <c>epoch_triggered</c> is followed by its epoch, so the store never holds a triggered epoch without its results,
    /// ADR 0006). Returns those computed events.
    /// </summary>
    internal static async Task<IReadOnlyList<ILedgerEvent>?> AppendFactAsync(
        IDocumentStore store, NpgsqlDataSource dataSource, StoredEvents stored, SchemaReady schema, LockWaits waits,
        ILedgerEvent e, string key, Action<Domain.Epochs.LedgerEngine>? check, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var writerLock = await WriterLock.AcquireAsync(dataSource, cancellationToken, waits.Report).ConfigureAwait(false);

        await using (var exists = dataSource.CreateCommand($"select 1 from {NaturalKeys.QualifiedName} where natural_key = @key"))
        {
            exists.Parameters.AddWithValue("key", key);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return null;
            }
        }

        Domain.Epochs.LedgerEngine engine;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            engine = await stored.FoldAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        check?.Invoke(engine);
        if (!engine.TryApplyFact(e, out var violation, out var derived))
        {
            throw new FieldErrorException(violation!);
        }

        await using var session = store.LightweightSession();
        WriterLock.HoldFence(session);
        foreach (var (recorded, naturalKey) in derived.Select(d => (d, NaturalKeys.Derived(d))).Prepend((e, key)))
        {
            NaturalKeys.Append(session, recorded, naturalKey);
        }

        await session.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return derived;
    }
}
