using System.Globalization;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Chain;
using Bittensor.Ledger.Domain.Primitives;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Bittensor.Ledger.Api.Tests;

/// <summary>The page at `/` in Debian's headless chromium (/usr/bin/chromium, installed by .ci/run), driven by
/// Playwright with the system browser: every chart drew the points the API's answers hold, a click on an epoch opens
/// its explanation, and nothing reached the console as an error. Screenshots go to the test output's
/// screenshots/ folder.</summary>
[Collection(ApiServer.Collection)]
public sealed class PageTests(ApiServer server)
{
    public const string Chromium = "/usr/bin/chromium";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Screenshots
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        File.Exists(Chromium).ShouldBeTrue($"{Chromium} is missing: apt-get install chromium (.ci/run installs it)");
        var playwright = await Playwright.CreateAsync();
        // --no-sandbox: CI runs as root, where chromium refuses its sandbox.
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        return (playwright, browser);
    }

    [Fact]
    public async Task Page_DrawsEveryChartWithTheAnswersPoints_AndAClickOpensTheEpochsExplanation()
    {
        var metagraph = await server.Mediator.Send(new GetMetagraph(new NetUid(1)), Ct);
        var neuron = metagraph.Neurons.OrderByDescending(n => n.Emission).First();
        var hotkeyRows = (await server.Mediator.Send(new GetEmissions(Hotkey.Parse(neuron.Hotkey)), Ct)).Rows.Where(r => r.NetUid == 1).ToList();
        var subnetEpochs = (await server.Mediator.Send(new GetEmissions(NetUid: new NetUid(1)), Ct)).Rows.Select(r => r.Epoch).Distinct().Count();
        var supplyEpochs = (await server.Mediator.Send(new GetSupply(ByEpochNetUid: new NetUid(1)), Ct)).Epochs.Count;
        var stakeSubnets = (await server.Mediator.Send(new GetStake(Coldkey.Parse(neuron.Coldkey)), Ct)).Positions.Select(p => p.NetUid).Distinct().Count();
        await WriteChainSyncAndAuditAsync();
        var chain = (await server.Mediator.Send(new GetChainStatus(), Ct)).Subnets;

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(new Uri(server.BaseAddress, $"/#netuid=1&hotkey={neuron.Hotkey}&coldkey={neuron.Coldkey}").ToString());
        await page.WaitForSelectorAsync("body[data-ready=true]");

        errors.ShouldBeEmpty();
        (await page.Locator("#errors").IsHiddenAsync()).ShouldBeTrue(await page.Locator("#errors").TextContentAsync() ?? "");
        async Task<int> Points(string chart) => int.Parse(await page.GetAttributeAsync("#chart-" + chart, "data-points") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
        (await Points("hotkey")).ShouldBe(hotkeyRows.Count);
        (await Points("roles")).ShouldBe(subnetEpochs);
        (await Points("concentration")).ShouldBe(metagraph.Neurons.Count);
        (await Points("supply")).ShouldBe(supplyEpochs);
        (await Points("stake")).ShouldBe(stakeSubnets);
        hotkeyRows.Count.ShouldBeGreaterThan(0);
        (await page.Locator("canvas").CountAsync()).ShouldBe(5);
        (await page.GetAttributeAsync("#verify", "data-state")).ShouldBe("holds");

        // The status panel: one row per synced subnet, with the query's checkpoint and verdict counts.
        chain.ShouldContain(c => c.Netuid == ChainNetuid && c.Audited == 3 && c.Differed == 1);
        (await page.Locator("#chain tr[data-netuid]").CountAsync()).ShouldBe(chain.Count);
        foreach (var c in chain)
        {
            var cells = await page.Locator($"#chain tr[data-netuid='{c.Netuid}'] td").AllTextContentsAsync();
            cells.ShouldBe([
                Text(c.Netuid), Text(c.NextBlock), c.LastHash is { } h ? h[..Math.Min(18, h.Length)] : "-", Text(c.SpecVersion),
                Text(c.Audited), Text(c.Matched), Text(c.Differed), Text(c.Incomplete), Text(c.LastAuditedBlock),
            ]);
        }

        (await page.GetAttributeAsync("#chain", "data-state")).ShouldBe("differs");
        (await page.Locator("#chain").TextContentAsync() ?? "").ShouldContain("1 audited epoch(s) DIFFER");
        await page.Locator("#status-panel").ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "status-panel.png") });
        (await page.Locator("#errors").IsHiddenAsync()).ShouldBeTrue(await page.Locator("#errors").TextContentAsync() ?? "");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "page.png"), FullPage = true });

        // A click on the hotkey's chart opens the explanation of the epoch under the cursor.
        var over = page.Locator("#chart-hotkey .u-over");
        await over.ScrollIntoViewIfNeededAsync();
        var box = (await over.BoundingBoxAsync()).ShouldNotBeNull();
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        var index = await page.EvaluateAsync<int>("() => window.ledger.charts.hotkey.cursor.idx");
        await page.Mouse.ClickAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.WaitForSelectorAsync("#explain:not([hidden])");
        var epoch = ulong.Parse(await page.GetAttributeAsync("#explain", "data-epoch") ?? "", System.Globalization.CultureInfo.InvariantCulture);
        epoch.ShouldBe(hotkeyRows[index].Epoch);
        (await page.Locator("#explain-body").TextContentAsync() ?? "").ShouldContain("reconciles: yes");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "explain.png"), FullPage = true });

        errors.ShouldBeEmpty();
    }

    /// <summary>A subnet the simulation does not have, so its chain rows change nothing the other tests read.</summary>
    private const ushort ChainNetuid = 7;

    private static string Text(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    /// <summary>What `ledger chain sync` and `ledger chain audit` leave for one subnet: its checkpoint (the sync's SQL)
    /// and three audit verdicts (two match, one differs) appended as the audit appends them, once per ledger.</summary>
    private async Task WriteChainSyncAndAuditAsync()
    {
        await using (var session = server.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.QueueSqlCommand(ChainCheckpoints.UpsertSql, (int)ChainNetuid, 4801L, "0x6a1f0c9e2b7d4a5831f0e2c4b6a8d0f1e3c5a7b9d1f3e5a7c9b1d3f5e7a9c1b3", 302L);
            await session.SaveChangesAsync(Ct);
        }

        var verdicts = new (ulong Block, string Verdict)[] { (4000, Verdicts.Match), (4360, Verdicts.Differs), (4720, Verdicts.Match) }
            .Select(v => new KeyedEvent(
                new EpochAudited(new Block(v.Block), new NetUid(ChainNetuid), 302, "v302", 1, v.Verdict, [],
                    v.Verdict == Verdicts.Differs ? new AuditDifference("incentive", 0, 3, "1177", "1178") : null, v.Verdict == Verdicts.Differs ? 1 : 0, [], [], null, false),
                string.Create(CultureInfo.InvariantCulture, $"page-test:chain-audit:{ChainNetuid}:{v.Block}")))
            .ToList();
        var dataSource = server.Services.GetRequiredService<NpgsqlDataSource>();
        await using var writer = await WriterLock.AcquireAsync(dataSource, Ct);
        var existing = await NaturalKeys.ExistingAsync(dataSource, [.. verdicts.Select(v => v.NaturalKey)], Ct);
        await server.Services.GetRequiredService<EventBatchWriter>().AppendAsync([.. verdicts.Where(v => !existing.Contains(v.NaturalKey))], Ct);
    }

    [Fact]
    public async Task ReferencePage_RendersTheOpenApiDocumentWithoutConsoleErrors()
    {
        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.RequestFailed += (_, r) => errors.Add("request failed: " + r.Url);
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };

        await page.GotoAsync(new Uri(server.BaseAddress, "/scalar/v1").ToString());
        await page.GetByText("emissions", new() { Exact = false }).First.WaitForAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "scalar.png") });

        errors.ShouldBeEmpty();
    }
}
