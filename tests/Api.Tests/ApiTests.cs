using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.ChainSync;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Application.Status;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Bittensor.Ledger.Api.Tests;

/// <summary>`ledger serve` over HTTP on 127.0.0.1 against a simulated ledger on real PostgreSQL: each answer against
/// the same Mediator query the CLI sends, the conventions (snake_case, exact and readable amounts, problem details,
/// paging, caching) and the safety rules (writes only with the key).</summary>
[Collection(ApiServer.Collection)]
public sealed class ApiTests(ApiServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> GetJsonAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await server.Client.GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(expected, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> AnyHotkeyAsync()
    {
        var metagraph = await server.Mediator.Send(new GetMetagraph(new NetUid(1)), Ct);
        return metagraph.Neurons.First(n => n.Emission > 0).Hotkey;
    }

    [Fact]
    public async Task Status_IsTheQuerysAnswerWithExactAndReadableStake()
    {
        var expected = await server.Mediator.Send(new GetStatus(), Ct);

        var json = await GetJsonAsync("/api/v1/status");

        json.GetProperty("events").GetInt64().ShouldBe(expected.Events);
        json.GetProperty("complete").GetBoolean().ShouldBeTrue();
        var subnets = json.GetProperty("subnets").EnumerateArray().ToList();
        subnets.Count.ShouldBe(expected.Subnets.Count);
        foreach (var (row, s) in subnets.Zip(expected.Subnets))
        {
            row.GetProperty("netuid").GetInt32().ShouldBe(s.NetUid.Value);
            row.GetProperty("total_stake_rao").GetString().ShouldBe(s.TotalStake.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            row.GetProperty("total_stake").GetString().ShouldBe(ApiJson.Readable(s.TotalStake.Value));
            row.GetProperty("unit").GetString().ShouldBe("α");
        }
    }

    [Theory]
    [InlineData(1234500000UL, "1.2345")]
    [InlineData(0UL, "0")]
    [InlineData(7UL, "0.000000007")]
    [InlineData(21000000000000000UL, "21000000")]
    public void Readable_IsExactFromTheDigits(ulong rao, string readable) => ApiJson.Readable(rao).ShouldBe(readable);

    [Fact]
    public async Task EmissionsOfAHotkey_EqualTheQueryRowForRow()
    {
        var hotkey = await AnyHotkeyAsync();
        var expected = await server.Mediator.Send(new GetEmissions(Hotkey.Parse(hotkey)), Ct);

        var json = await GetJsonAsync($"/api/v1/emissions?hotkey={hotkey}");

        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        rows.Count.ShouldBe(expected.Rows.Count);
        expected.Rows.Count.ShouldBeGreaterThan(0);
        foreach (var (row, e) in rows.Zip(expected.Rows))
        {
            row.GetProperty("net_uid").GetInt32().ShouldBe(e.NetUid);
            row.GetProperty("epoch").GetUInt64().ShouldBe(e.Epoch);
            row.GetProperty("emission_rao").GetString().ShouldBe(e.Emission.ToString(System.Globalization.CultureInfo.InvariantCulture));
            row.GetProperty("emission").GetString().ShouldBe(ApiJson.Readable(e.Emission));
            row.GetProperty("take_rao").GetString().ShouldBe(e.Take.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        json.GetProperty("emission_rao").GetString().ShouldBe(expected.Emission.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.GetProperty("paging").GetProperty("total").GetInt32().ShouldBe(expected.Rows.Count);
    }

    [Fact]
    public async Task EmissionsOfASubnet_ArePagedWithLimitAndOffset()
    {
        var all = await server.Mediator.Send(new GetEmissions(NetUid: new NetUid(1)), Ct);

        var json = await GetJsonAsync("/api/v1/emissions?netuid=1&limit=5&offset=3");

        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => (r.GetProperty("epoch").GetUInt64(), r.GetProperty("uid").GetInt32()))
            .ShouldBe(all.Rows.Skip(3).Take(5).Select(r => (r.Epoch, (int)r.Uid)));
        var paging = json.GetProperty("paging");
        paging.GetProperty("total").GetInt32().ShouldBe(all.Rows.Count);
        paging.GetProperty("next_offset").GetInt32().ShouldBe(8);
    }

    /// <summary>The emissions answer is written straight to UTF-8 (EmissionsJson): byte for byte what the generic path
    /// (the report as a JsonNode, readable amounts added, then cut to the page) writes, for a hotkey and a subnet, on
    /// the first, a middle, the last and a page beyond the end.</summary>
    [Theory]
    [InlineData(0, 500)]
    [InlineData(3, 5)]
    [InlineData(40, 500)]
    [InlineData(100000, 10)]
    public async Task EmissionsJson_IsByteForByteTheGenericAnswer(int offset, int limit)
    {
        var hotkey = await AnyHotkeyAsync();
        foreach (var (query, path) in new[]
                 {
                     (new GetEmissions(Hotkey.Parse(hotkey)), $"/api/v1/emissions?hotkey={hotkey}"),
                     (new GetEmissions(NetUid: new NetUid(1)), "/api/v1/emissions?netuid=1"),
                 })
        {
            var report = await server.Mediator.Send(query, Ct);
            report.Rows.ShouldContain(r => r.Nominators.Count > 0);
            var paging = new Paging(offset, limit);
            var expected = Answers.Bytes(Answers.Page(ApiJson.ToNode(report), "rows", paging));

            var written = EmissionsJson.Write(report with { Rows = [.. report.Rows.Skip(offset).Take(limit)] }, paging, report.Rows.Count);
            using var response = await server.Client.GetAsync($"{path}&offset={offset}&limit={limit}", Ct);
            var served = await response.Content.ReadAsByteArrayAsync(Ct);

            System.Text.Encoding.UTF8.GetString(written).ShouldBe(System.Text.Encoding.UTF8.GetString(expected));
            System.Text.Encoding.UTF8.GetString(served).ShouldBe(System.Text.Encoding.UTF8.GetString(expected));
        }
    }

    /// <summary>The histories' pages are read in SQL (limit and offset in the query): each page is exactly the slice
    /// of the whole answer, with the whole answer's row count and totals, at the first row, across the last, at the
    /// end and beyond it.</summary>
    [Fact]
    public async Task HistoryPages_ReadInSql_AreExactAtEveryBoundary()
    {
        var emissions = await server.Mediator.Send(new GetEmissions(NetUid: new NetUid(1)), Ct);
        var weights = await server.Mediator.Send(new GetWeightsHistory(new NetUid(1)), Ct);
        var bonds = await server.Mediator.Send(new GetBondsHistory(new NetUid(1)), Ct);
        var lists = new (string Path, IReadOnlyList<string> All, Func<JsonElement, string> Key)[]
        {
            ("/api/v1/emissions?netuid=1", [.. emissions.Rows.Select(r => $"{r.Epoch}/{r.Uid}")], r => $"{r.GetProperty("epoch").GetUInt64()}/{r.GetProperty("uid").GetInt32()}"),
            ("/api/v1/subnets/1/weights", [.. weights.Rows.Select(r => r.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture))], r => r.GetProperty("seq").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("/api/v1/subnets/1/bonds", [.. bonds.Rows.Select(r => $"{r.Epoch}/{r.Mechanism}/{r.Uid}")], r => $"{r.GetProperty("epoch").GetUInt64()}/{r.GetProperty("mechanism").GetInt32()}/{r.GetProperty("uid").GetInt32()}"),
        };

        foreach (var (path, all, key) in lists)
        {
            var n = all.Count;
            n.ShouldBeGreaterThan(3, path);
            foreach (var (offset, limit) in new[] { (0, 1), (0, n - 1), (0, n), (0, n + 1), (1, 2), (n - 1, 1), (n - 2, 5), (n - 1, 500), (n, 1), (n + 7, 3) })
            {
                var json = await GetJsonAsync($"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}offset={offset}&limit={limit}");

                json.GetProperty("rows").EnumerateArray().Select(key).ShouldBe(all.Skip(offset).Take(limit), $"{path} offset {offset} limit {limit}");
                var paging = json.GetProperty("paging");
                paging.GetProperty("total").GetInt64().ShouldBe(n, path);
                if (offset + limit < n)
                {
                    paging.GetProperty("next_offset").GetInt32().ShouldBe(offset + limit);
                }
                else
                {
                    paging.GetProperty("next_offset").ValueKind.ShouldBe(JsonValueKind.Null);
                }

                if (path.Contains("emissions", StringComparison.Ordinal))
                {
                    json.GetProperty("emission_rao").GetString().ShouldBe(emissions.Emission.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    json.GetProperty("take_rao").GetString().ShouldBe(emissions.Take.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    json.GetProperty("nominator_dividends_rao").GetString().ShouldBe(emissions.NominatorDividends.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        // The query itself, as the endpoint sends it: the page's rows and the whole answer's count and totals.
        var page = await server.Mediator.Send(new GetEmissions(NetUid: new NetUid(1), Page: new RowPage(emissions.Rows.Count - 2, 10)), Ct);
        page.Rows.Select(r => (r.Epoch, r.Uid, r.Emission, r.Take, r.Nominators.Count))
            .ShouldBe(emissions.Rows.Skip(emissions.Rows.Count - 2).Select(r => (r.Epoch, r.Uid, r.Emission, r.Take, r.Nominators.Count)));
        page.TotalRows.ShouldBe(emissions.Rows.Count);
        (page.ServerEmission, page.ValidatorEmission, page.Emission, page.Take, page.NominatorDividends)
            .ShouldBe((emissions.ServerEmission, emissions.ValidatorEmission, emissions.Emission, emissions.Take, emissions.NominatorDividends));
        await Should.ThrowAsync<FluentValidation.ValidationException>(async () => await server.Mediator.Send(new GetBondsHistory(new NetUid(1), Page: new RowPage(-1, 10)), Ct));
    }

    /// <summary>The answer cache's rule: an answer is kept for one log version (table, high water); a newer version
    /// drops every kept answer, an older one (a slower request) changes nothing, a new table (a reset) replaces all.</summary>
    [Fact]
    public async Task AnswerCache_KeepsAnswersForOneLogVersion()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(server.ConnectionString);
        var cache = new AnswerCache(dataSource);
        var now = (await cache.VersionAsync(Ct)).ShouldNotBeNull();
        now.HighWater.ShouldBe((await server.Mediator.Send(new GetStatus(), Ct)).Events, "the simulated ledger's events are numbered 1..n");
        var a = new AnswerCache.Answer([1], "\"a\"");
        var b = new AnswerCache.Answer([2], "\"b\"");
        var v1 = now with { HighWater = 10 };
        var v2 = now with { HighWater = 11 };

        cache.Put(v1, "?x", a);
        cache.TryGet(v1, "?x", out var got).ShouldBeTrue();
        got.ShouldBe(a);
        cache.TryGet(v2, "?x", out _).ShouldBeFalse();
        cache.Put(v2, "?y", b);
        cache.TryGet(v1, "?x", out _).ShouldBeFalse();
        cache.Put(v1, "?x", a);
        cache.TryGet(v1, "?x", out _).ShouldBeFalse();
        cache.TryGet(v2, "?y", out _).ShouldBeTrue();
        var reset = new AnswerCache.LogVersion(now.Table + 1, 3);
        cache.Put(reset, "?z", a);
        cache.TryGet(reset, "?z", out _).ShouldBeTrue();
        cache.TryGet(v2, "?y", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(999_999_999UL)]
    [InlineData(1_000_000_000UL)]
    [InlineData(1_000_000_001UL)]
    [InlineData(21_000_000_000_000_000UL)]
    [InlineData(ulong.MaxValue)]
    public void ReadableOfAU64_IsTheBigIntegersDigits(ulong rao) =>
        ApiJson.Readable(rao).ShouldBe(ApiJson.Readable(new System.Numerics.BigInteger(rao)));

    [Fact]
    public async Task PageLargerThanTheMaximum_IsAProblemNamingLimit()
    {
        var problem = await GetJsonAsync("/api/v1/emissions?netuid=1&limit=501", HttpStatusCode.BadRequest);

        problem.GetProperty("parameter").GetString().ShouldBe("limit");
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        problem.GetProperty("detail").GetString()!.ShouldContain("500");
    }

    [Theory]
    [InlineData("/api/v1/emissions?hotkey=not-a-key", "hotkey")]
    [InlineData("/api/v1/stake?coldkey=5Gxyz", "coldkey")]
    [InlineData("/api/v1/emissions?netuid=abc", "netuid")]
    [InlineData("/api/v1/subnets/70000/metagraph", "netuid")]
    [InlineData("/api/v1/emissions?netuid=1&from_epoch=5&to_epoch=2", "to_epoch")]
    [InlineData("/api/v1/emissions", "hotkey")]
    [InlineData("/api/v1/export/balances", "what")]
    public async Task BadParameter_IsA400ProblemNamingIt(string path, string parameter)
    {
        using var response = await server.Client.GetAsync(path, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("parameter").GetString().ShouldBe(parameter);
        problem.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("/api/v1/emissions?netuid=99", "netuid")]
    [InlineData("/api/v1/subnets/99/metagraph", "netuid")]
    [InlineData("/api/v1/subnets/99/weights", "netuid")]
    [InlineData("/api/v1/emissions?hotkey=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "hotkey")]
    [InlineData("/api/v1/stake?coldkey=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "coldkey")]
    [InlineData("/api/v1/subnets/1/epochs/999/uids/0/explain", "epoch")]
    public async Task UnknownSubnetKeyOrEpoch_IsA404ProblemNamingIt(string path, string parameter)
    {
        var problem = await GetJsonAsync(path, HttpStatusCode.NotFound);

        problem.GetProperty("parameter").GetString().ShouldBe(parameter);
        problem.GetProperty("status").GetInt32().ShouldBe(404);
    }

    [Fact]
    public async Task Explain_ReconcilesAndMayBeCachedByETag()
    {
        var row = (await server.Mediator.Send(new GetEmissions(NetUid: new NetUid(1)), Ct)).Rows.Last(r => r.Emission > 0);
        var path = $"/api/v1/subnets/1/epochs/{row.Epoch}/uids/{row.Uid}/explain";

        using var first = await server.Client.GetAsync(path, Ct);
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var json = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Ct)).RootElement;
        json.GetProperty("reconciles").GetBoolean().ShouldBeTrue();
        json.GetProperty("explanation").GetProperty("hotkey").GetString().ShouldBe(row.Hotkey);
        first.Headers.CacheControl!.Public.ShouldBeTrue();
        first.Headers.CacheControl.MaxAge.ShouldNotBeNull();
        var etag = first.Headers.ETag.ShouldNotBeNull();

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        using var second = await server.Client.SendAsync(again, Ct);
        second.StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task ExplainOfEveryUidOfAnEpoch_ReconcilesWithReadableAmounts()
    {
        var rows = (await server.Mediator.Send(new GetEmissions(NetUid: new NetUid(1), FromEpoch: 2, ToEpoch: 2), Ct)).Rows;
        rows.Count.ShouldBeGreaterThan(0);

        foreach (var row in rows)
        {
            var json = await GetJsonAsync($"/api/v1/subnets/1/epochs/2/uids/{row.Uid}/explain");

            json.GetProperty("reconciles").GetBoolean().ShouldBeTrue();
            var x = json.GetProperty("explanation");
            x.GetProperty("stake_rao").GetString().ShouldNotBeNull();
            x.GetProperty("unit").GetString().ShouldBe("α");
            x.GetProperty("mechanisms")[0].GetProperty("stake").GetProperty("bits").ValueKind.ShouldBe(JsonValueKind.Number);
        }
    }

    [Fact]
    public async Task MetagraphStakeAndSupply_AreTheQuerysAnswers()
    {
        var metagraph = await server.Mediator.Send(new GetMetagraph(new NetUid(2)), Ct);
        var m = await GetJsonAsync("/api/v1/subnets/2/metagraph");
        m.GetProperty("neurons").GetArrayLength().ShouldBe(metagraph.Neurons.Count);
        m.GetProperty("neurons")[0].GetProperty("stake_rao").GetString().ShouldBe(metagraph.Neurons[0].Stake.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var coldkey = metagraph.Neurons[0].Coldkey;
        var stake = await server.Mediator.Send(new GetStake(Coldkey.Parse(coldkey)), Ct);
        var s = await GetJsonAsync($"/api/v1/stake?coldkey={coldkey}");
        s.GetProperty("positions").GetArrayLength().ShouldBe(stake.Positions.Count);

        var supply = await server.Mediator.Send(new GetSupply(ByEpochNetUid: new NetUid(1)), Ct);
        var json = await GetJsonAsync("/api/v1/supply?netuid=1");
        var tao = json.GetProperty("assets").EnumerateArray().Single(a => a.GetProperty("asset").GetString() == "tao");
        tao.GetProperty("issuance_end_rao").GetString().ShouldBe(supply.Assets.Single(a => a.Asset == "tao").IssuanceEnd.ToString(System.Globalization.CultureInfo.InvariantCulture));
        tao.GetProperty("unit").GetString().ShouldBe("τ");
        json.GetProperty("epochs").GetArrayLength().ShouldBe(supply.Epochs.Count);
    }

    [Fact]
    public async Task WeightsAndBondsHistory_ListWhatTheValidatorsSetAndHeld()
    {
        var weights = await GetJsonAsync("/api/v1/subnets/1/weights");
        var bonds = await GetJsonAsync("/api/v1/subnets/1/bonds");

        var w = weights.GetProperty("rows").EnumerateArray().ToList();
        w.Count.ShouldBeGreaterThan(0);
        w.ShouldAllBe(r => r.GetProperty("uids").GetArrayLength() == r.GetProperty("weights").GetArrayLength());
        var b = bonds.GetProperty("rows").EnumerateArray().ToList();
        b.Count.ShouldBeGreaterThan(0);
        var validator = b[0].GetProperty("uid").GetInt32();
        var one = await GetJsonAsync($"/api/v1/subnets/1/bonds?validator={validator}");
        one.GetProperty("rows").EnumerateArray().ShouldAllBe(r => r.GetProperty("uid").GetInt32() == validator);
    }

    [Fact]
    public async Task VerifyAndDigest_SayTheLedgerHolds()
    {
        var verify = await GetJsonAsync("/api/v1/verify");
        verify.GetProperty("holds").GetBoolean().ShouldBeTrue();
        verify.GetProperty("epochs").GetInt64().ShouldBe(verify.GetProperty("epochs_matching").GetInt64());

        var expected = await server.Mediator.Send(new GetDigests(), Ct);
        var digest = await GetJsonAsync("/api/v1/digest");
        digest.GetProperty("digests").EnumerateArray().Select(d => d.GetProperty("digest").GetString())
            .ShouldBe(expected.Digests.Select(d => d.Digest));
    }

    [Fact]
    public async Task Replay_UnderTheRecordedRules_ChangesNothing()
    {
        var json = await GetJsonAsync("/api/v1/replay?from_block=0&to_block=200");

        json.GetProperty("epochs").GetInt64().ShouldBeGreaterThan(0);
        json.GetProperty("hotkeys").EnumerateArray().ShouldAllBe(h => h.GetProperty("difference_rao").GetString() == "0");
    }

    [Fact]
    public async Task ExportCsv_StreamsOneLinePerEmissionRow()
    {
        var expected = await server.Mediator.Send(new GetEmissions(NetUid: new NetUid(2)), Ct);

        using var response = await server.Client.GetAsync("/api/v1/export/emissions?format=csv&netuid=2", HttpCompletionOption.ResponseHeadersRead, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(expected.Rows.Count + 1); // the header
    }

    [Fact]
    public async Task ChainStatus_ShowsTheSyncCheckpointAsTheSyncWroteIt_AndIsTheQuerysAnswer()
    {
        // The checkpoint as ledger chain sync writes it (its SQL, queued in a Marten session); netuid 9 is not simulated.
        await using (var session = server.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.QueueSqlCommand(ChainCheckpoints.UpsertSql, 9, 1234L, "0xabcdef", 302L);
            await session.SaveChangesAsync(Ct);
        }

        var expected = await server.Mediator.Send(new GetChainStatus(), Ct);
        var json = await GetJsonAsync("/api/v1/chain/status");

        var subnet = json.GetProperty("subnets").EnumerateArray().Single(s => s.GetProperty("netuid").GetInt32() == 9);
        subnet.GetProperty("next_block").GetInt64().ShouldBe(1234);
        subnet.GetProperty("last_hash").GetString().ShouldBe("0xabcdef");
        subnet.GetProperty("spec_version").GetInt64().ShouldBe(302);
        subnet.GetProperty("audited").GetInt64().ShouldBe(0);
        subnet.GetProperty("last_audited_block").ValueKind.ShouldBe(JsonValueKind.Null);
        JsonSerializer.Serialize(json).ShouldBe(JsonSerializer.Serialize(JsonDocument.Parse(ApiJson.ToNode(new { expected.Subnets }).ToJsonString()).RootElement));
    }

    [Fact]
    public async Task OpenApiDocument_ListsEveryEndpoint_AndTheReferencePageIsServed()
    {
        var document = await GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        paths.ShouldBe([
            "/api/v1/status", "/api/v1/subnets/{netuid}/metagraph", "/api/v1/emissions", "/api/v1/subnets/{netuid}/epochs/{epoch}/uids/{uid}/explain",
            "/api/v1/stake", "/api/v1/supply", "/api/v1/dilution", "/api/v1/subnets/{netuid}/weights", "/api/v1/subnets/{netuid}/bonds",
            "/api/v1/verify", "/api/v1/digest", "/api/v1/replay", "/api/v1/export/{what}", "/api/v1/facts", "/api/v1/chain/status",
            "/api/v1/subnets/{netuid}/epochs",
        ], ignoreOrder: true);
        var emissions = document.GetProperty("paths").GetProperty("/api/v1/emissions").GetProperty("get");
        emissions.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .ShouldBe(["hotkey", "coldkey", "netuid", "from_epoch", "to_epoch", "from_block", "to_block", "limit", "offset"], ignoreOrder: true);

        using var page = await server.Client.GetAsync("/scalar/v1", Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync(Ct)).ShouldContain("openapi/v1.json");
    }

    [Fact]
    public async Task Health_SaysTheDatabaseAnswers()
    {
        var json = await GetJsonAsync("/health");

        json.GetProperty("status").GetString().ShouldBe("ok");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://192.168.1.10:5080", false)]
    public void Loopback_IsTheDefaultAndTellsWiderAddressesApart(string url, bool loopback)
    {
        LedgerApi.IsLoopback(LedgerApiOptions.DefaultUrls).ShouldBeTrue();
        LedgerApi.IsLoopback(url).ShouldBe(loopback);
    }
}

/// <summary>Writes: refused (401) without the server's key or on a read-only server, accepted with it, and then in the
/// ledger: facts appended through the same import as `ledger import`, each on its own database.</summary>
public sealed class ApiWriteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The start of docs/import-format.md's example: a network, a subnet and one neuron.</summary>
    private const string Facts =
        """
        {"type":"network_started","block":0,"issuance":7500000000000000,"parameters":{"subnet_owner_cut":11796,"tao_weight":0,"stake_threshold":0,"default_take":11796}}
        {"type":"block_emission_minted","block":1,"amount":1000000000}
        {"type":"subnet_registered","block":1,"netuid":1,"owner":"5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y","owner_hotkey":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","lock_cost":1000000000000,"hyperparameters":{"tempo":99,"activity_cutoff_factor_milli":13889,"kappa":32767,"bonds_penalty":65535,"bonds_moving_average":900000,"yuma3":true,"liquid_alpha":false,"alpha_low":45875,"alpha_high":58982,"alpha_sigmoid_steepness":1000,"max_allowed_validators":64,"max_allowed_uids":64,"immunity_period":5000,"min_non_immune_uids":10,"weights_set_rate_limit":50,"mechanism_count":1,"min_burn":500000,"max_burn":100000000000,"burn":1000000000,"burn_half_life":360,"burn_increase_mult_millionths":1260000}}
        {"type":"neuron_registered","block":3,"netuid":1,"uid":0,"hotkey":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","coldkey":"5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y","burn_paid":0}

        """;

    private static HttpRequestMessage Post(string? key, string body = Facts)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/facts") { Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson") };
        if (key is not null)
        {
            request.Headers.Add(ApiKey.Header, key);
        }

        return request;
    }

    [Fact]
    public async Task WriteWithoutTheKey_Is401AndAppendsNothing_WithTheKeyItIsInTheLedger()
    {
        var connection = await PostgresServer.CreateDatabaseAsync(nameof(ApiWriteTests) + "_keyed");
        var (app, address) = await ApiServer.StartAsync(connection, ApiServer.Key);
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = address };

        using (var form = await client.PostAsync("/api/v1/facts", new StringContent("x=1", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct))
        {
            form.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var none = await client.SendAsync(Post(null), Ct))
        using (var wrong = await client.SendAsync(Post(ApiServer.Key + "x"), Ct))
        {
            none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            JsonDocument.Parse(await wrong.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("parameter").GetString().ShouldBe(ApiKey.Header);
        }

        (await client.GetFromJsonElementAsync("/api/v1/status")).GetProperty("subnets").GetArrayLength().ShouldBe(0);

        using (var accepted = await client.SendAsync(Post(ApiServer.Key), Ct))
        {
            accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync(Ct));
            JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("appended").GetInt64().ShouldBe(4);
        }

        var subnets = (await client.GetFromJsonElementAsync("/api/v1/status")).GetProperty("subnets");
        subnets.GetArrayLength().ShouldBe(1);
        subnets[0].GetProperty("neurons").GetInt64().ShouldBe(1);

        using var bearer = Post(null, Facts);
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiServer.Key);
        using var again = await client.SendAsync(bearer, Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonDocument.Parse(await again.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("already_present").GetInt64().ShouldBe(4);
    }

    [Fact]
    public async Task BadFact_IsA400ProblemNamingTheLineAndField()
    {
        var connection = await PostgresServer.CreateDatabaseAsync(nameof(ApiWriteTests) + "_bad");
        var (app, address) = await ApiServer.StartAsync(connection, ApiServer.Key);
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = address };

        using var response = await client.SendAsync(Post(ApiServer.Key, Facts.Replace("\"uid\":0", "\"uid\":\"zero\"", StringComparison.Ordinal)), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("line").GetInt64().ShouldBe(4);
        problem.GetProperty("parameter").GetString().ShouldBe("uid");
    }

    [Fact]
    public async Task ReadOnlyServer_RefusesEveryWrite()
    {
        var connection = await PostgresServer.CreateDatabaseAsync(nameof(ApiWriteTests) + "_readonly");
        var (app, address) = await ApiServer.StartAsync(connection, key: null);
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = address };

        using var response = await client.SendAsync(Post(ApiServer.Key), Ct);
        using var trigger = await client.SendAsync(Trigger(1, """{"block": 10}""", ApiServer.Key), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()!.ShouldContain("read-only");
        trigger.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        JsonDocument.Parse(await trigger.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()!.ShouldContain("read-only");
    }

    private static HttpRequestMessage Trigger(int netuid, string body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/subnets/{netuid}/epochs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add(ApiKey.Header, key);
        }

        return request;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        using (var response = await client.SendAsync(request, Ct))
        {
            return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone());
        }
    }

    /// <summary>Triggering an epoch over HTTP stores what `ledger import` stores for the same <c>epoch_triggered</c>
    /// line: two databases with the same simulated ledger, one written through the endpoint, one through the CLI's
    /// import (<see cref="ImportFile"/>), then the epoch's emission rows and every read model's digest compared.</summary>
    [Fact]
    public async Task TriggerEpoch_WithoutTheKeyIs401_WithItStoresTheEpochTheImportOfItsLineStores()
    {
        const int Block = 230;
        var viaApi = await PostgresServer.CreateDatabaseAsync(nameof(ApiWriteTests) + "_trigger");
        var viaImport = await PostgresServer.CreateDatabaseAsync(nameof(ApiWriteTests) + "_trigger_import");
        await ApiServer.SimulateAsync(viaApi);
        await ApiServer.SimulateAsync(viaImport);
        var (app, address) = await ApiServer.StartAsync(viaApi, ApiServer.Key);
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = address };
        await using var apiServices = new ServiceCollection().AddLedgerApplication(viaApi).BuildServiceProvider();
        var before = await apiServices.GetRequiredService<IMediator>().Send(new GetEmissions(NetUid: new NetUid(1)), Ct);

        // Asked before the write: the answer the server keeps for this log version (AnswerCache) must not outlive it.
        var listed = await client.GetFromJsonElementAsync("/api/v1/emissions?netuid=1&limit=500");
        (await client.GetFromJsonElementAsync("/api/v1/emissions?netuid=1&limit=500")).GetProperty("paging").GetProperty("total").GetInt64()
            .ShouldBe(listed.GetProperty("paging").GetProperty("total").GetInt64());

        var none = await SendAsync(client, Trigger(1, $$"""{"block": {{Block}}}""", null));
        var wrong = await SendAsync(client, Trigger(1, $$"""{"block": {{Block}}}""", ApiServer.Key + "x"));
        none.Status.ShouldBe(HttpStatusCode.Unauthorized);
        wrong.Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await apiServices.GetRequiredService<IMediator>().Send(new GetEmissions(NetUid: new NetUid(1)), Ct)).Rows.Count.ShouldBe(before.Rows.Count);

        var (status, run) = await SendAsync(client, Trigger(1, $$"""{"block": {{Block}}}""", ApiServer.Key));
        status.ShouldBe(HttpStatusCode.Created, run.ToString());
        var epoch = run.GetProperty("epoch").GetUInt64();
        epoch.ShouldBe(before.Rows.Max(r => r.Epoch) + 1);
        run.GetProperty("block").GetUInt64().ShouldBe((ulong)Block);
        run.GetProperty("unit").GetString().ShouldBe("α");

        var relisted = await client.GetFromJsonElementAsync("/api/v1/emissions?netuid=1&limit=500");
        relisted.GetProperty("rows").EnumerateArray().ShouldContain(r => r.GetProperty("epoch").GetUInt64() == epoch);
        relisted.GetProperty("paging").GetProperty("total").GetInt64().ShouldBeGreaterThan(listed.GetProperty("paging").GetProperty("total").GetInt64());
        var path = $"/api/v1/emissions?netuid=1&from_epoch={epoch}&to_epoch={epoch}";
        var answer = await client.GetFromJsonElementAsync(path);

        await using var importServices = new ServiceCollection().AddLedgerApplication(viaImport).BuildServiceProvider();
        var importer = importServices.GetRequiredService<IMediator>();
        var file = Path.Combine(Path.GetTempPath(), $"trigger-{Guid.NewGuid():N}.ndjson");
        await File.WriteAllTextAsync(file, $$"""{"type":"epoch_triggered","block":{{Block}},"netuid":1}""" + "\n", Ct);
        try
        {
            var imported = await importer.Send(new ImportFile(file), Ct);
            imported.Error.ShouldBeNull();
            imported.EpochsRun.ShouldBe(1);
        }
        finally
        {
            File.Delete(file);
        }

        var expected = await importer.Send(new GetEmissions(NetUid: new NetUid(1), FromEpoch: epoch, ToEpoch: epoch), Ct);
        expected.Rows.Count.ShouldBeGreaterThan(0);
        var rows = answer.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => (r.GetProperty("uid").GetInt32(), r.GetProperty("hotkey").GetString(), r.GetProperty("emission_rao").GetString(), r.GetProperty("take_rao").GetString()))
            .ShouldBe(expected.Rows.Select(r => ((int)r.Uid, (string?)r.Hotkey, (string?)r.Emission.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)r.Take.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        answer.GetProperty("emission_rao").GetString().ShouldBe(expected.Emission.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await apiServices.GetRequiredService<IMediator>().Send(new GetDigests(), Ct)).Digests.Select(d => (d.Name, d.Digest))
            .ShouldBe((await importer.Send(new GetDigests(), Ct)).Digests.Select(d => (d.Name, d.Digest)));

        var again = await SendAsync(client, Trigger(1, $$"""{"block": {{Block}}}""", ApiServer.Key));
        again.Status.ShouldBe(HttpStatusCode.Conflict);
        again.Body.GetProperty("parameter").GetString().ShouldBe("block");
        var past = await SendAsync(client, Trigger(2, """{"block": 100}""", ApiServer.Key));
        past.Status.ShouldBe(HttpStatusCode.Conflict);
        past.Body.GetProperty("detail").GetString()!.ShouldContain("before");
        var unknown = await SendAsync(client, Trigger(99, $$"""{"block": {{Block}}}""", ApiServer.Key));
        unknown.Status.ShouldBe(HttpStatusCode.NotFound);
        unknown.Body.GetProperty("parameter").GetString().ShouldBe("netuid");
        foreach (var bad in (string[])["", "{}", """{"block": "x"}""", """{"block": -1}"""])
        {
            var refused = await SendAsync(client, Trigger(1, bad, ApiServer.Key));
            refused.Status.ShouldBe(HttpStatusCode.BadRequest, bad);
            refused.Body.GetProperty("parameter").GetString().ShouldBeOneOf("block", "body");
        }
    }
}

internal static class HttpJson
{
    public static async Task<JsonElement> GetFromJsonElementAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }
}
