namespace Rfb.Protocol;

/// <summary>The RFB protocol versions the server speaks.</summary>
public enum ProtocolVersion
{
    V3_3 = 3,
    V3_7 = 7,
    V3_8 = 8,
}
