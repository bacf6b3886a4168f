using Bittensor.Ledger.Application.Import;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bittensor.Ledger.Api;

/// <summary>The one write: facts as NDJSON (docs/import-format.md), appended by the import the CLI runs
/// (`ledger import`), including <c>epoch_triggered</c> lines, after each of which the ledger computes that epoch in the
/// same batch. Only with the server's key (<see cref="ApiKey"/>).</summary>
public static partial class LedgerApi
{
    private static void MapWrites(RouteGroupBuilder api, ApiKey key)
    {
        api.MapPost("/facts", async (HttpContext http, IMediator m, CancellationToken ct) =>
            {
                // The import reads a file (it reports lines by number and may re-read a batch); the body is bounded by
                // Kestrel's MaxRequestBodySize (LedgerApiOptions.MaxRequestBodyBytes).
                var path = Path.Combine(Path.GetTempPath(), $"ledger-facts-{Guid.NewGuid():N}.ndjson");
                try
                {
                    await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                    {
                        await http.Request.Body.CopyToAsync(file, ct).ConfigureAwait(false);
                    }

                    var summary = await m.Send(new ImportFile(path), ct).ConfigureAwait(false);
                    if (summary.Error is { } bad)
                    {
                        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "bad fact",
                            detail: $"line {bad.Line}: {bad.Field}: {bad.Reason}; nothing of that line's batch was appended, earlier batches stay committed",
                            extensions: new Dictionary<string, object?> { ["parameter"] = bad.Field, ["line"] = bad.Line, ["appended"] = summary.Appended });
                    }

                    return Answers.Json(ApiJson.ToNode(new
                    {
                        summary.LinesRead,
                        summary.Appended,
                        summary.AlreadyPresent,
                        summary.EpochsRun,
                    }));
                }
                finally
                {
                    File.Delete(path);
                }
            })
            .WithName("record_facts").WithTags("write")
            .WithSummary("Appends facts (NDJSON, docs/import-format.md; an `epoch_triggered` line runs that epoch) as `ledger import` does. Needs the server's key in X-Api-Key.")
            // No Accepts metadata: it would answer 415 to a body of another content type before the key is checked,
            // and a write without the key must be 401 whatever it sends. The body is read as NDJSON.
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .AddEndpointFilter(key)
            .WithRequestTimeout(LongRequests);
    }
}
