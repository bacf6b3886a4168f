using System.Text.Json;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Tests.Emissions;

public class AccountTests
{
    private static readonly Hotkey Hot = Hotkey.FromPublicKey(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly Coldkey Cold = Coldkey.FromPublicKey(Enumerable.Repeat((byte)2, 32).ToArray());

    public static TheoryData<string> Names() =>
    [
        "tao:unissued",
        "tao:external",
        "tao:subnet_tao:3",
        "alpha:3:pending_server",
        "alpha:0:dust",
        $"alpha:7:stake:{Hot}:{Cold}",
    ];

    [Theory]
    [MemberData(nameof(Names))]
    public void Name_RoundTripsThroughParse(string name)
    {
        Account.TryParse(name, out var account).ShouldBeTrue();
        account.ToString().ShouldBe(name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tao")]
    [InlineData("tao:stake")]
    [InlineData("alpha:x:dust")]
    [InlineData("alpha:3:subnet_tao:3")]
    [InlineData("tao:unissued:extra")]
    [InlineData("alpha:3:stake:notakey:notakey")]
    public void MalformedName_IsRefused(string name) => Account.TryParse(name, out _).ShouldBeFalse();

    [Fact]
    public void Posting_SerializesAccountsAsNames()
    {
        var posting = new Posting(Account.Of(Asset.Alpha(new NetUid(3)), AccountKind.PendingServer),
            Account.Stake(new NetUid(3), Hot, Cold), new Rao(42), PostingReason.Incentive, new Uid(5));
        var json = JsonSerializer.Serialize(posting);
        json.ShouldContain("\"From\":\"alpha:3:pending_server\"");
        json.ShouldContain("\"Reason\":\"Incentive\"");
        JsonSerializer.Deserialize<Posting>(json).ShouldBe(posting);
    }

    [Fact]
    public void OnlyExternalAndPool_AreContra()
    {
        Enum.GetValues<AccountKind>().Where(k => new Account(Asset.Tao, k).IsContra)
            .ShouldBe([AccountKind.External, AccountKind.Pool], ignoreOrder: true);
    }
}
