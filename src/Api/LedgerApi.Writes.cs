using System.Text.Json;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Domain.Primitives;
using Mediator;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bittensor.Ledger.Api;

/// <summary>The writes: facts as NDJSON (docs/import-format.md), appended by the import the CLI runs
/// (`ledger import`), including <c>epoch_triggered</c> lines, after each of which the ledger computes that epoch in the
/// same batch; and one epoch triggered on its own (<see cref="TriggerEpoch"/>: the same fact and computation as such a
/// line). Only with the server's key (<see cref="ApiKey"/>).</summary>
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

        api.MapPost("/subnets/{netuid}/epochs", async (HttpContext http, IMediator m, int netuid, CancellationToken ct) =>
            {
                // The body is read here, after the key check: a write without the key is 401 whatever it sends.
                var block = await TriggerBlockAsync(http.Request, ct).ConfigureAwait(false);
                var run = await m.Send(new TriggerEpoch(Answers.NetUid(netuid), new Block(block)), ct).ConfigureAwait(false);
                var node = ApiJson.ToNode(new { Netuid = run.NetUid.Value, run.Epoch, Block = run.Block.Value, Emission = run.Emission.Value, run.NaturalKey },
                    ApiJson.UnitOf(run.NetUid.Value));
                http.Response.Headers.Location = $"/api/v1/emissions?netuid={run.NetUid.Value}&from_epoch={run.Epoch}&to_epoch={run.Epoch}";
                return Answers.Json(node, statusCode: StatusCodes.Status201Created);
            })
            .WithName("trigger_epoch").WithTags("write")
            .WithSummary("The chain ran the subnet's epoch at `block` (body `{\"block\": N}`): records that fact and computes the epoch, as an " +
                         "`epoch_triggered` line of `ledger import` does. 409 when its epoch already ran at that block or the ledger is past it. " +
                         "Needs the server's key in X-Api-Key.")
            .Produces(StatusCodes.Status201Created, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            // Described here, not by Accepts metadata, which would answer 415 before the key is checked.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The block at which the chain ran the epoch.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new()
                        {
                            Schema = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Required = new HashSet<string> { "block" },
                                Properties = new Dictionary<string, IOpenApiSchema> { ["block"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0" } },
                            },
                        },
                    },
                };
                return Task.CompletedTask;
            })
            .AddEndpointFilter(key)
            .WithRequestTimeout(LongRequests);
    }

    /// <summary><c>{"block": N}</c>, N a block the ledger can hold (0..2^63−1), as <c>block: reason</c> when it is not.</summary>
    private static async Task<ulong> TriggerBlockAsync(HttpRequest request, CancellationToken ct)
    {
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(request.Body, default, ct).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new Problems.BadParameterException("body", $"expected a JSON object {{\"block\": N}}: {e.Message}");
        }

        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object || !body.RootElement.TryGetProperty("block", out var block))
            {
                throw new Problems.BadParameterException("block", "is required");
            }

            if (block.ValueKind != JsonValueKind.Number || !block.TryGetUInt64(out var value) || value > long.MaxValue)
            {
                throw new Problems.BadParameterException("block", $"must be an integer between 0 and {long.MaxValue}");
            }

            return value;
        }
    }
}
