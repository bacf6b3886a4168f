using System.Runtime.CompilerServices;
using System.Text.Json;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using static Bittensor.Ledger.IntegrationTests.Projections.AuditChain;

namespace Bittensor.Ledger.IntegrationTests.Projections;

/// <summary>The audit commands end to end: table and --json output, exports, and `field: reason` with exit 2 for
/// bad input.</summary>
public sealed class AuditCliTests
{
    [Fact]
    public async Task EmissionsJson_CarriesExactIntegersAndNominatorShares()
    {
        var db = await SeededAsync();

        var result = await AuditCliRunner.RunAsync("emissions", "--hotkey", A.Address, "--json", "--connection", db);

        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var row = json.RootElement.GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
        row.GetProperty("take").GetUInt64().ShouldBe(17UL);
        row.GetProperty("validator_emission").GetUInt64().ShouldBe(100UL);
        row.GetProperty("nominators").EnumerateArray().Select(n => n.GetProperty("amount").GetUInt64()).ShouldBe([55UL, 27UL]);
        json.RootElement.GetProperty("nominator_dividends").GetUInt64().ShouldBe(82UL);
    }

    [Fact]
    public async Task TablesForStakeMetagraphAndSupply_ShowTheHandComputedNumbers()
    {
        var db = await SeededAsync();

        var stake = await AuditCliRunner.RunAsync("stake", "--coldkey", ColdC.Address, "--at-block", "35", "--connection", db);
        var metagraph = await AuditCliRunner.RunAsync("metagraph", "--netuid", "1", "--at-block", "35", "--connection", db);
        var supply = await AuditCliRunner.RunAsync("supply", "--from-block", "0", "--to-block", "100", "--rao", "--connection", db);
        var human = await AuditCliRunner.RunAsync("supply", "--from-block", "0", "--to-block", "100", "--connection", db);
        var byEpoch = await AuditCliRunner.RunAsync("supply", "--netuid", "1", "--by-epoch", "--connection", db);

        stake.ExitCode.ShouldBe(0, stake.Error);
        stake.Output.ShouldContain("527");
        stake.Output.ShouldContain("1599");
        metagraph.ExitCode.ShouldBe(0, metagraph.Error);
        metagraph.Output.ShouldContain("terms of epoch 1 (block 30)");
        metagraph.Output.ShouldContain("1599");
        supply.ExitCode.ShouldBe(0, supply.Error);
        supply.Output.ShouldContain("1799"); // alpha:1 staked
        supply.Output.ShouldContain((Genesis + 50 - Recycled).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Without --rao, tables show τ/α with thousands separators and 9 decimals (issue 11).
        var issued = Genesis + 50 - Recycled;
        human.Output.ShouldContain(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{issued / 1_000_000_000:N0}.{issued % 1_000_000_000:D9}"));
        human.Output.ShouldContain("amounts in τ (tao) and α (alpha)");
        byEpoch.ExitCode.ShouldBe(0, byEpoch.Error);
        byEpoch.Output.ShouldContain("(0, 30]"); // epoch 1's accrual range, printed as text, not Spectre markup
    }

    [Fact]
    public async Task ExportStakeCsvAndEmissionsNdjson_AreExactRowsForAccountants()
    {
        var db = await SeededAsync();

        var csv = await AuditCliRunner.RunAsync("export", "--what", "stake", "--format", "csv", "--coldkey", ColdA.Address, "--connection", db);
        var ndjson = await AuditCliRunner.RunAsync("export", "--what", "emissions", "--format", "ndjson", "--netuid", "1", "--connection", db);

        csv.ExitCode.ShouldBe(0, csv.Error);
        var lines = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("seq_id,ordinal,block,netuid,hotkey,coldkey,reason,delta,balance");
        lines.Skip(1).Select(l => l.Split(',')[6] + ":" + l.Split(',')[7] + ":" + l.Split(',')[8])
            .ShouldBe(["StakeAdded:1000:1000", "ValidatorTake:17:1017", "NominatorDividend:55:1072"]);
        ndjson.ExitCode.ShouldBe(0, ndjson.Error);
        var rows = ndjson.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToList();
        rows.Select(r => r.RootElement.GetProperty("emission").GetUInt64()).ShouldBe([100UL, 200UL]);
        rows[0].RootElement.GetProperty("nominator_amounts").EnumerateArray().Select(a => a.GetUInt64()).ShouldBe([55UL, 27UL]);
        rows.ForEach(r => r.Dispose());
    }

    [Theory]
    [InlineData("emissions --hotkey not-a-key", "hotkey: ")]
    [InlineData("emissions --netuid 1 --hotkey {A}", "hotkey: give exactly one of --hotkey, --coldkey, --netuid")]
    [InlineData("emissions --netuid 1 --from-epoch 5 --to-epoch 2", "to_epoch: must not be before --from-epoch")]
    [InlineData("stake", "coldkey: give exactly one of --coldkey, --hotkey")]
    [InlineData("supply --by-epoch", "netuid: --by-epoch needs --netuid")]
    [InlineData("supply --from-block 9 --to-block 3", "to_block: must be after --from-block")]
    [InlineData("rebuild nonsense", "name: unknown projection 'nonsense'")]
    [InlineData("rebuild", "name: give projection names or --all")]
    public async Task BadInput_ExitsTwoNamingTheField(string args, string expected)
    {
        var db = await PostgresServer.CreateDatabaseAsync("audit_cli_bad_input");

        var result = await AuditCliRunner.RunAsync([.. args.Replace("{A}", A.Address, StringComparison.Ordinal).Split(' '), "--connection", db]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldStartWith(expected);
    }

    private static async Task<string> SeededAsync([CallerMemberName] string test = "")
    {
        var db = await PostgresServer.CreateDatabaseAsync($"auditcli_{test}");
        await using var services = Services(db);
        await SeedAsync(services);
        return db;
    }
}
