using System.Text.Json.Nodes;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.ChainSync;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Status;
using Bittensor.Ledger.Application.Store;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Bittensor.Ledger.Api;

/// <summary>One endpoint per question the CLI answers, each sending the CLI's query (one code path per question);
/// the CLI command that asks the same is named in each summary.</summary>
public static partial class LedgerApi
{
    /// <summary>Replay recomputes into one scratch schema (ledger_replay): one replay at a time.</summary>
    private static readonly SemaphoreSlim ReplayGate = new(1, 1);

    private static void MapReads(RouteGroupBuilder api)
    {
        api.MapGet("/status", async (IMediator m, CancellationToken ct) => Answers.Json(StatusNode(await m.Send(new GetStatus(), ct).ConfigureAwait(false))))
            .Named("status", "ledger", "Per subnet: neurons, latest block, weight submissions, total stake; the runs that wrote the ledger (`ledger status --json`).");

        api.MapGet("/subnets/{netuid}/metagraph", async (IMediator m, int netuid, [FromQuery(Name = "at_block")] ulong? atBlock,
                [FromQuery] int? limit, [FromQuery] int? offset, LedgerApiOptions o, CancellationToken ct) =>
            {
                var report = await m.Send(new GetMetagraph(Answers.NetUid(netuid), Answers.Block(atBlock, "at_block")), ct).ConfigureAwait(false);
                return Answers.Json(Answers.Page(ApiJson.ToNode(report, ApiJson.UnitOf(report.NetUid)), "neurons", Paging.From(limit, offset, o)));
            })
            .Named("metagraph", "subnets", "The subnet's neurons as the SDK's metagraph shows them, now or as of a block (`ledger metagraph --json`).");

        api.MapGet("/emissions", async (HttpContext http, IMediator m, AnswerCache cache, [FromQuery] string? hotkey, [FromQuery] string? coldkey, [FromQuery] int? netuid,
                [FromQuery(Name = "from_epoch")] ulong? fromEpoch, [FromQuery(Name = "to_epoch")] ulong? toEpoch,
                [FromQuery(Name = "from_block")] ulong? fromBlock, [FromQuery(Name = "to_block")] ulong? toBlock,
                [FromQuery] int? limit, [FromQuery] int? offset, LedgerApiOptions o, CancellationToken ct) =>
            {
                var paging = Paging.From(limit, offset, o);
                // The emission read models are a function of the log: while its version stands, the same question
                // has the same answer (AnswerCache), and the query runs only once per version.
                var version = await cache.VersionAsync(ct).ConfigureAwait(false);
                var key = http.Request.QueryString.Value ?? "";
                if (version is { } v && cache.TryGet(v, key, out var kept))
                {
                    return Answers.Json(kept);
                }

                var report = await m.Send(new GetEmissions(Answers.Hotkey(hotkey), Answers.Coldkey(coldkey), Answers.NetUid(netuid),
                    fromEpoch, toEpoch, Answers.Block(fromBlock, "from_block"), Answers.Block(toBlock, "to_block"), paging.Rows), ct).ConfigureAwait(false);
                var answer = Answers.Prepare(EmissionsJson.Write(report, paging, report.TotalRows));
                if (version is { } read)
                {
                    cache.Put(read, key, answer);
                }

                return Answers.Json(answer);
            })
            .Named("emissions", "emissions", "Emission per (netuid, epoch, uid) of one hotkey, coldkey or subnet, by epoch or block range, with totals (`ledger emissions --json`).");

        api.MapGet("/subnets/{netuid}/epochs/{epoch}/uids/{uid}/explain", async (IMediator m, int netuid, ulong epoch, int uid, CancellationToken ct) =>
            {
                var x = await m.Send(new ExplainEmission(Answers.NetUid(netuid), epoch, Answers.Uid(uid)), ct).ConfigureAwait(false);
                // Explain is only ever about a closed epoch: the answer does not change while the ledger holds it.
                return Answers.Json(ApiJson.ToNode(new { x.Reconciles, Explanation = x }, ApiJson.UnitOf(x.NetUid)), Answers.ClosedEpochSeconds);
            })
            .Named("explain", "emissions", "Why the uid received its emission in that epoch, recomputed and checked to the rao (`ledger explain --json`).");

        api.MapGet("/stake", async (IMediator m, [FromQuery] string? coldkey, [FromQuery] string? hotkey, [FromQuery(Name = "at_block")] ulong? atBlock,
                [FromQuery] int? limit, [FromQuery] int? offset, LedgerApiOptions o, CancellationToken ct) =>
            {
                var paging = Paging.From(limit, offset, o);
                var report = await m.Send(new GetStake(Answers.Coldkey(coldkey), Answers.Hotkey(hotkey), Answers.Block(atBlock, "at_block")), ct).ConfigureAwait(false);
                return Answers.Json(Answers.Page(ApiJson.ToNode(report), "positions", paging));
            })
            .Named("stake", "stake", "Alpha staked per subnet and hotkey of a coldkey or hotkey, now or as of a block (`ledger stake --json`).");

        api.MapGet("/supply", async (IMediator m, [FromQuery(Name = "from_block")] ulong? fromBlock, [FromQuery(Name = "to_block")] ulong? toBlock,
                [FromQuery] int? netuid, CancellationToken ct) =>
            {
                var report = await m.Send(new GetSupply(Answers.Block(fromBlock, "from_block"), Answers.Block(toBlock, "to_block"), Answers.NetUid(netuid)), ct).ConfigureAwait(false);
                return Answers.Json(ApiJson.ToNode(report));
            })
            .Named("supply", "supply", "Per asset over blocks (B, B']: issuance, minted, recycled, burned, staked, inflation; with netuid, per epoch of that subnet (`ledger supply [--netuid N --by-epoch] --json`).");

        api.MapGet("/dilution", async (IMediator m, [FromQuery] string? coldkey, [FromQuery(Name = "from_block")] ulong? fromBlock,
                [FromQuery(Name = "to_block")] ulong? toBlock, CancellationToken ct) =>
            {
                var c = Answers.Coldkey(coldkey ?? throw new Problems.BadParameterException("coldkey", "is required"));
                var from = Answers.Block(fromBlock, "from_block") ?? throw new Problems.BadParameterException("from_block", "is required");
                var to = Answers.Block(toBlock, "to_block") ?? throw new Problems.BadParameterException("to_block", "is required");
                return Answers.Json(ApiJson.ToNode(await m.Send(new GetDilution(c!.Value, from, to), ct).ConfigureAwait(false)));
            })
            .Named("dilution", "supply", "A coldkey's share of each subnet's stake at both ends of (B, B'], emission received and real yield (`ledger supply --coldkey --json`).");

        api.MapGet("/subnets/{netuid}/weights", async (IMediator m, int netuid, [FromQuery] int? validator,
                [FromQuery(Name = "from_block")] ulong? fromBlock, [FromQuery(Name = "to_block")] ulong? toBlock,
                [FromQuery] int? limit, [FromQuery] int? offset, LedgerApiOptions o, CancellationToken ct) =>
            {
                var paging = Paging.From(limit, offset, o);
                var report = await m.Send(new GetWeightsHistory(Answers.NetUid(netuid), validator is { } v ? Answers.Uid(v, "validator") : null,
                    Answers.Block(fromBlock, "from_block"), Answers.Block(toBlock, "to_block"), paging.Rows), ct).ConfigureAwait(false);
                return Answers.Json(Answers.Paged(ApiJson.ToNode(report), paging, report.TotalRows));
            })
            .Named("weights", "subnets", "The weights the subnet's validators set, in block order (u16 as stored), of one validator uid or all.");

        api.MapGet("/subnets/{netuid}/bonds", async (IMediator m, int netuid, [FromQuery] int? validator,
                [FromQuery(Name = "from_epoch")] ulong? fromEpoch, [FromQuery(Name = "to_epoch")] ulong? toEpoch,
                [FromQuery] int? limit, [FromQuery] int? offset, LedgerApiOptions o, CancellationToken ct) =>
            {
                var paging = Paging.From(limit, offset, o);
                var report = await m.Send(new GetBondsHistory(Answers.NetUid(netuid), validator is { } v ? Answers.Uid(v, "validator") : null, fromEpoch, toEpoch, paging.Rows), ct)
                    .ConfigureAwait(false);
                return Answers.Json(Answers.Paged(ApiJson.ToNode(report), paging, report.TotalRows));
            })
            .Named("bonds", "subnets", "The bonds each validator of the subnet held after each epoch (u16 as stored), of one validator uid or all.");

        api.MapGet("/verify", async (IMediator m, CancellationToken ct) => Answers.Json(VerifyNode(await m.Send(new VerifyLedger(), ct).ConfigureAwait(false))))
            .Named("verify", "ledger", "Replays the whole history: every epoch recomputed bit for bit, the books' identities after every block (`ledger verify --json`).")
            .WithRequestTimeout(LongRequests);

        api.MapGet("/digest", async (IMediator m, CancellationToken ct) =>
            {
                var report = await m.Send(new GetDigests(), ct).ConfigureAwait(false);
                return Answers.Json(ApiJson.ToNode(new { report.Digests, report.Gaps, report.Skipped }));
            })
            .Named("digest", "ledger", "A SHA-256 per read model over its rows, with row counts, checkpoints, gaps and skipped events (`ledger digest --json`).");

        api.MapGet("/chain/status", async (IMediator m, CancellationToken ct) =>
                Answers.Json(ApiJson.ToNode(new { (await m.Send(new GetChainStatus(), ct).ConfigureAwait(false)).Subnets })))
            .Named("chain-status", "chain", "Per synced subnet: the chain sync checkpoint (next block, last hash) and the audit verdicts of its epochs, counted (`ledger chain status --json`).");

        api.MapGet("/replay", async (IMediator m, [FromQuery(Name = "from_block")] ulong fromBlock, [FromQuery(Name = "to_block")] ulong toBlock,
                [FromQuery] string[]? set, [FromQuery] string? yuma3, [FromQuery(Name = "liquid_alpha")] string? liquidAlpha, CancellationToken ct) =>
            {
                if (toBlock < fromBlock)
                {
                    throw new Problems.BadParameterException("to_block", "must not be before from_block");
                }

                RuleOverrides overrides;
                try
                {
                    overrides = RuleOverrides.Parse(set ?? []);
                    if (yuma3 is { } y)
                    {
                        overrides = overrides.Set("yuma3", y);
                    }

                    if (liquidAlpha is { } l)
                    {
                        overrides = overrides.Set("liquid_alpha", l);
                    }
                }
                catch (FormatException e)
                {
                    throw new Problems.BadParameterException("set", e.Message);
                }

                await ReplayGate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    var report = await m.Send(new ReplayLedger(fromBlock, toBlock, overrides), ct).ConfigureAwait(false);
                    return Answers.Json(ApiJson.ToNode(new
                    {
                        report.Epochs,
                        report.Rules,
                        Hotkeys = report.Hotkeys.Select(h => new { Hotkey = h.Hotkey.Address, Recorded = h.Recorded.Value, Replayed = h.Replayed.Value, Difference = (long)h.Difference }),
                    }));
                }
                finally
                {
                    ReplayGate.Release();
                }
            })
            .Named("replay", "ledger", "Recomputes the recorded epochs of blocks A..B under other rules (recorded events are only read): per hotkey recorded, replayed, difference (`ledger replay --json`).")
            .WithRequestTimeout(LongRequests);

        api.MapGet("/export/{what}", async (HttpContext http, IMediator m, string what, [FromQuery] string? format, [FromQuery] string? hotkey, [FromQuery] string? coldkey,
                [FromQuery] int? netuid, [FromQuery(Name = "from_block")] ulong? fromBlock, [FromQuery(Name = "to_block")] ulong? toBlock, CancellationToken ct) =>
            {
                var kind = Enum.TryParse<ExportWhat>(what, ignoreCase: true, out var w) && Enum.IsDefined(w) ? w
                    : throw new Problems.BadParameterException("what", "must be emissions, stake or supply");
                var fmt = (format ?? "ndjson") switch
                {
                    "csv" => ExportFormat.Csv,
                    "ndjson" => ExportFormat.Ndjson,
                    _ => throw new Problems.BadParameterException("format", "must be csv or ndjson"),
                };
                var query = new ExportRows(kind, fmt, TextWriter.Null, Answers.Hotkey(hotkey), Answers.Coldkey(coldkey), Answers.NetUid(netuid),
                    Answers.Block(fromBlock, "from_block"), Answers.Block(toBlock, "to_block"));
                http.Response.ContentType = fmt == ExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{kind.ToString().ToLowerInvariant()}.{(fmt == ExportFormat.Csv ? "csv" : "ndjson")}\"";
                // Streamed: rows go out as the query reads them, never held whole in memory.
                await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false), 64 * 1024, leaveOpen: true);
                await m.Send(query with { Output = writer }, ct).ConfigureAwait(false);
                await writer.FlushAsync(ct).ConfigureAwait(false);
            })
            .Named("export", "export", "Rows for accountants as CSV or NDJSON, amounts as exact integers in rao, streamed (`ledger export`).")
            .WithRequestTimeout(LongRequests);
    }

    private static RouteHandlerBuilder Named(this RouteHandlerBuilder route, string name, string tag, string summary) =>
        route.WithName(name).WithTags(tag).WithSummary(summary)
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>`ledger status --json`'s shape (src/Cli/Status/StatusCommand.cs) with the readable amounts.</summary>
    private static JsonNode StatusNode(LedgerStatus s) => ApiJson.ToNode(new
    {
        s.Events,
        Subnets = s.Subnets.Select(x => new { Netuid = x.NetUid.Value, x.Neurons, LatestBlock = x.LatestBlock.Value, x.WeightSubmissions, TotalStake = x.TotalStake.Value }),
        Complete = s.Incomplete.Count == 0,
        Incomplete = s.Incomplete.Select(Incomplete),
        Runs = s.Runs.Select(r => new { r.Kind, r.Description, StartedAt = r.StartedAt.UtcDateTime, CompletedAt = r.CompletedAt?.UtcDateTime }),
    });

    /// <summary>`ledger verify --json`'s shape (src/Cli/Verify/VerifyCommand.cs).</summary>
    private static JsonNode VerifyNode(VerifyReport r) => ApiJson.ToNode(new
    {
        r.Holds,
        r.Events,
        r.Epochs,
        r.EpochsMatching,
        FirstBrokenBlock = r.FirstBroken?.Value,
        Identities = r.Identities.Select(i => new { i.Identity, i.Checks, i.Holds, FirstBrokenBlock = i.FirstBroken?.Value, i.Detail }),
        Findings = r.Findings.Select(f => new { Block = f.Block.Value, SeqId = f.Sequence, f.Reason }),
        r.Complete,
        Incomplete = r.Incomplete.Select(Incomplete),
    });

    private static object Incomplete(LedgerRun run) => new { run.Kind, run.Description, StartedAt = run.StartedAt.UtcDateTime, Reason = run.Incomplete };
}
