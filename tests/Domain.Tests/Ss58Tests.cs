using System.Text;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Tests;

public class Ss58Tests
{
    // Substrate's well-known development account //Alice, network prefix 42.
    private const string Alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    private static readonly byte[] AlicePublicKey = Convert.FromHexString("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");

    [Fact]
    public void Blake2b512_OfAbc_MatchesRfc7693()
    {
        var hash = new byte[64];
        Blake2b.Hash(Encoding.ASCII.GetBytes("abc"), hash);
        Convert.ToHexStringLower(hash).ShouldBe(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1" +
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
    }

    [Fact]
    public void Blake2b512_OfEmptyInput_MatchesReference()
    {
        var hash = new byte[64];
        Blake2b.Hash([], hash);
        Convert.ToHexStringLower(hash).ShouldBe(
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419" +
            "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce");
    }

    [Fact]
    public void LongestEncodableAddress_FitsTheBound_AndDecodes()
    {
        // Base58 grows with the number's size: the all-0xff key under the largest two-byte prefix is as long as any.
        var key = Enumerable.Repeat((byte)0xff, 32).ToArray();
        var longest = Ss58.Encode(key, 16383);

        longest.Length.ShouldBeLessThanOrEqualTo(Ss58.MaxAddressLength);
        Ss58.TryDecode(longest, out var decoded, out var prefix, out var reason).ShouldBeTrue(reason);
        decoded.ShouldBe(key);
        prefix.ShouldBe((ushort)16383);
    }

    [Theory]
    [InlineData(51)]
    [InlineData(50_000_000)]
    public void LongerThanAnyAddress_IsRefusedBeforeDecoding(int length)
    {
        var text = new string('z', length);

        Ss58.TryDecode(text, out _, out _, out var reason).ShouldBeFalse();
        reason.ShouldBe($"is {length} characters; an SS58 account address has at most 50");
    }

    [Fact]
    public void Encode_AlicePublicKey_GivesKnownAddress() => Ss58.Encode(AlicePublicKey).ShouldBe(Alice);

    [Fact]
    public void Decode_KnownAddress_GivesKeyAndPrefix()
    {
        Ss58.TryDecode(Alice, out var key, out var prefix, out _).ShouldBeTrue();
        key.ShouldBe(AlicePublicKey);
        prefix.ShouldBe(Ss58.BittensorPrefix);
    }

    [Fact]
    public void Decode_OneCharacterChanged_FailsChecksum()
    {
        var tampered = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ";
        Ss58.TryDecode(tampered, out _, out _, out var reason).ShouldBeFalse();
        reason.ShouldBe("checksum mismatch");
    }

    [Theory]
    [InlineData("", "empty address")]
    [InlineData("0OIl", "not base58")]
    [InlineData("5GrwvaEF", "decodes to 6 bytes, expected 35 for a 32-byte account")]
    public void Decode_Malformed_GivesReason(string address, string expected)
    {
        Ss58.TryDecode(address, out _, out _, out var reason).ShouldBeFalse();
        reason.ShouldBe(expected);
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)63)]
    [InlineData((ushort)64)]
    [InlineData((ushort)2254)]
    [InlineData((ushort)16383)]
    public void EncodeThenDecode_RoundTripsEveryPrefixForm(ushort prefix)
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + prefix)).ToArray();
        Ss58.TryDecode(Ss58.Encode(key, prefix), out var decoded, out var decodedPrefix, out _).ShouldBeTrue();
        decoded.ShouldBe(key);
        decodedPrefix.ShouldBe(prefix);
    }

    [Fact]
    public void HotkeyParse_InvalidChecksum_ThrowsWithReason() =>
        Should.Throw<FormatException>(() => Hotkey.Parse("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"))
            .Message.ShouldContain("checksum mismatch");

    [Fact]
    public void Issue12_ParsingAnAddressAgain_GivesTheSameKey_AndABadOneFailsEveryTime()
    {
        const string tampered = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ";
        for (var i = 0; i < 2; i++)
        {
            Hotkey.TryParse(Alice, out var hotkey, out var reason).ShouldBeTrue();
            hotkey.Address.ShouldBe(Alice);
            reason.ShouldBe("");
            Coldkey.TryParse(Alice, out var coldkey, out _).ShouldBeTrue();
            coldkey.Address.ShouldBe(Alice);
            Hotkey.TryParse(tampered, out _, out reason).ShouldBeFalse();
            reason.ShouldBe("checksum mismatch");
            Coldkey.TryParse(tampered, out _, out reason).ShouldBeFalse();
            reason.ShouldBe("checksum mismatch");
        }
    }
}
