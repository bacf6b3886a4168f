using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Projections;
using Bittensor.Ledger.Projections.Tailing;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>Deletes the named projections' rows (or every projection's, with <see cref="All"/>) and projects the
/// whole event log again. The result names every sequence gap and skipped event it met.</summary>
public sealed record RebuildProjections(IReadOnlyList<string> Names, bool All, IProgress<CatchUpProgress>? Progress = null) : ICommand<CatchUpResult>
{
    public sealed class Validator : AbstractValidator<RebuildProjections>
    {
        private static bool Known(string name) => ProjectionsRegistration.Flat.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

        public Validator()
        {
            RuleFor(x => x).Must(x => x.All != (x.Names.Count > 0)).OverridePropertyName("name").WithMessage("give projection names or --all, not both and not neither");
            RuleFor(x => x.Names).Must(names => names.All(Known))
                .OverridePropertyName("name")
                .WithMessage(x => $"unknown projection '{x.Names.First(n => !Known(n))}'; known: {string.Join(", ", ProjectionsRegistration.Flat.Select(p => p.Name))}");
        }
    }
}

/// <summary>A digest per projection after catching up (`ledger digest`), with every hole in the log.</summary>
public sealed record GetDigests : IQuery<DigestReport>;

public sealed record DigestReport(CatchUpResult CatchUp, IReadOnlyList<ProjectionDigest> Digests, IReadOnlyList<SequenceGap> Gaps, IReadOnlyList<SkippedEvent> Skipped);

public sealed class RebuildProjectionsHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, LockWaits waits)
    : ICommandHandler<RebuildProjections, CatchUpResult>, IQueryHandler<GetDigests, DigestReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<CatchUpResult> Handle(RebuildProjections command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _models.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var selected = command.All ? _models.Projector.Projections : [.. command.Names.Select(n => _models.Projector.Find(n)!).Distinct()];
        return await _models.Projector.RebuildAsync(selected, command.Progress, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<DigestReport> Handle(GetDigests query, CancellationToken cancellationToken)
    {
        var caught = await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var digests = await _models.Projector.DigestAsync(null, cancellationToken).ConfigureAwait(false);
        // The gaps are the log's as it is now, over all of it (an event deleted after it was projected is found too);
        // skipped events are the ones every catch-up recorded.
        var gaps = await _models.Projector.FindAllGapsAsync(cancellationToken).ConfigureAwait(false);
        var (_, skipped) = await _models.Projector.ReportedAsync(cancellationToken).ConfigureAwait(false);
        return new DigestReport(caught, digests, gaps, skipped);
    }
}
