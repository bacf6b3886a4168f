namespace Bittensor.Ledger.IntegrationTests;

public class SmokeTests
{
    [Fact]
    public void Builds() => (1 + 1).ShouldBe(2);
}
