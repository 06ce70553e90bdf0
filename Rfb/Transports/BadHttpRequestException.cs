namespace Rfb.Transports;

/// <summary>
/// A request the HTTP side refuses: the status code to answer with (400, 403, 404, 405, 414,
/// 426, 431, 505, ...) and the reason, which goes to the log and into the response body. The
/// connection is closed after the response.
/// </summary>
internal sealed class BadHttpRequestException : Exception
{
    public BadHttpRequestException(int statusCode, string reason)
        : base(reason)
    {
        StatusCode = statusCode;
    }

    public int StatusCode { get; }
}
