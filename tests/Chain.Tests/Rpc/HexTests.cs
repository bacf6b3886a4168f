using Bittensor.Ledger.Chain.Rpc;

namespace Bittensor.Ledger.Chain.Tests.Rpc;

public class HexTests
{
    [Theory]
    [InlineData("0x", "")]
    [InlineData("", "")]
    [InlineData("0xABcd", "abcd")]
    [InlineData("0e001d00", "0e001d00")]
    [InlineData("0X01", "01")]
    public void Decode_accepts_with_or_without_prefix_and_any_case(string hex, string expected) =>
        Convert.ToHexStringLower(Hex.Decode(hex)).ShouldBe(expected);

    [Fact]
    public void Encode_is_lower_case_with_prefix_and_empty_is_0x()
    {
        Hex.Encode([0xAB, 0x01]).ShouldBe("0xab01");
        Hex.Encode([]).ShouldBe("0x");
    }

    [Theory]
    [InlineData("0x123", "odd number of digits")]
    [InlineData("0xzz", "is not hex")]
    public void Decode_rejects_what_is_not_hex_bytes(string hex, string reason) =>
        Should.Throw<FormatException>(() => Hex.Decode(hex)).Message.ShouldContain(reason);

    [Theory]
    [InlineData("0x797453", 7_959_635)]
    [InlineData("0x6384b6", 6_522_038)]
    [InlineData("0x0", 0)]
    [InlineData("0x00000a", 10)]
    public void ParseNumber_reads_header_numbers(string hex, long expected) =>
        Hex.ParseNumber(hex).ShouldBe(expected);

    [Theory]
    [InlineData("0x")]
    [InlineData("0xg1")]
    [InlineData("0x8000000000000000")]
    public void ParseNumber_rejects_empty_non_hex_and_too_large(string hex) =>
        Should.Throw<FormatException>(() => Hex.ParseNumber(hex));

    [Fact]
    public void EncodeNumber_has_no_leading_zeros() => Hex.EncodeNumber(7_959_635).ShouldBe("0x797453");
}
