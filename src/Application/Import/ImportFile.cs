using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Import;

/// <summary>Import an NDJSON file (docs/import-format.md) into the ledger: every line is checked against the same
/// shape rules (<see cref="EventShape"/>) and Domain rules (<see cref="LedgerState.Check"/>) as a recorded event,
/// then appended in batches of <see cref="BatchSize"/>, one transaction each.</summary>
public sealed record ImportFile(
    string Path,
    int BatchSize = ImportFile.DefaultBatchSize,
    bool SkipInvalid = false,
    string? RejectedPath = null,
    IProgress<ImportProgress>? Progress = null) : ICommand<ImportSummary>
{
    public const int DefaultBatchSize = 5_000;
    public const int MaxBatchSize = 100_000;

    /// <summary>Where rejected lines go under --skip-invalid: <see cref="RejectedPath"/> or FILE.rejected.ndjson.</summary>
    public string RejectedFile => RejectedPath ?? System.IO.Path.ChangeExtension(Path, null) + ".rejected.ndjson";

    public sealed class Validator : AbstractValidator<ImportFile>
    {
        public Validator()
        {
            RuleFor(x => x.Path).NotEmpty().Must(File.Exists).WithMessage("file '{PropertyValue}' does not exist");
            RuleFor(x => x.BatchSize).InclusiveBetween(1, MaxBatchSize);
            RuleFor(x => x.RejectedPath).Null().When(x => !x.SkipInvalid).WithMessage("--rejected only applies with --skip-invalid");
        }
    }
}

/// <summary>Where an import stands; reported after every batch.</summary>
public readonly record struct ImportProgress(long LinesRead, long Appended, long AlreadyPresent, long Rejected, TimeSpan Elapsed)
{
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Appended / Elapsed.TotalSeconds : 0;
}

/// <summary>The first bad line that stopped an import (without --skip-invalid).</summary>
public sealed record ImportError(long Line, string Field, string Reason);

public sealed record ImportSummary(
    long LinesRead, long Appended, long AlreadyPresent, long Rejected, TimeSpan Elapsed, ImportError? Error, string? RejectedFile)
{
    /// <summary>Epochs the ledger computed for the imported <c>epoch_triggered</c> lines (stored with them, not counted in <see cref="Appended"/>).</summary>
    public long EpochsRun { get; init; }

    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Appended / Elapsed.TotalSeconds : 0;
}

public sealed class ImportFileHandler(NpgsqlDataSource dataSource, StoredEvents stored, EventBatchWriter writer, SchemaReady schema, LockWaits waits)
    : ICommandHandler<ImportFile, ImportSummary>
{
    public async ValueTask<ImportSummary> Handle(ImportFile command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var writerLock = await WriterLock.AcquireAsync(dataSource, cancellationToken, waits.Report).ConfigureAwait(false);
        Domain.Epochs.LedgerEngine engine;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            engine = await stored.FoldAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        await using var file = new FileStream(command.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using var rejected = new RejectedLines(command.RejectedFile);
        var importer = new NdjsonImporter(engine, writer, command, rejected);
        return await importer.RunAsync(file, cancellationToken).ConfigureAwait(false);
    }
}
