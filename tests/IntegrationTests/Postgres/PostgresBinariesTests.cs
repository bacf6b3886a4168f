using Bittensor.Ledger.LocalPostgres;

namespace Bittensor.Ledger.IntegrationTests.Postgres;

public sealed class PostgresBinariesTests
{
    [Fact]
    public async Task Find_OnThisMachine_ReturnsADirectoryWithTheServerTools()
    {
        // CI installs the PostgreSQL server package (.ci/run), so the search must succeed here.
        var binaries = await PostgresBinaries.FindAsync(explicitBinDirectory: null, TestContext.Current.CancellationToken);

        binaries.ShouldNotBeNull();
        File.Exists(binaries.InitDb).ShouldBeTrue();
        File.Exists(binaries.PgCtl).ShouldBeTrue();
        File.Exists(Path.Combine(binaries.BinDirectory, "postgres")).ShouldBeTrue();
    }

    [Fact]
    public async Task Find_WithAnIncompleteExplicitDirectory_ReturnsNull()
    {
        var empty = Directory.CreateTempSubdirectory("ledger-no-pg-bin-");
        try
        {
            (await PostgresBinaries.FindAsync(empty.FullName, TestContext.Current.CancellationToken)).ShouldBeNull();
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }
}
