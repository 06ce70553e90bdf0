namespace Rfb.Transports;

/// <summary>Maps a request path to a file under a root folder, refusing anything that would leave it.</summary>
internal static class StaticFiles
{
    /// <summary>The file for <paramref name="path"/> (percent-encoded, as in the request), or null when none may be served.</summary>
    public static string? Resolve(string root, string path)
    {
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            return null;
        }

        if (decoded.Contains('\0') || decoded.Contains('\\'))
        {
            return null;
        }

        string[] parts = decoded.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (string part in parts)
        {
            if (part is "." or ".." || part.StartsWith('.'))
            {
                return null;
            }
        }

        string fullRoot = Path.GetFullPath(root);
        string relative = parts.Length == 0 ? "index.html" : string.Join(Path.DirectorySeparatorChar, parts);
        string full = Path.GetFullPath(Path.Combine(fullRoot, relative));
        if (!full.StartsWith(Path.TrimEndingDirectorySeparator(fullRoot) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return null;
        }

        if (Directory.Exists(full))
        {
            full = Path.Combine(full, "index.html");
        }

        return File.Exists(full) ? full : null;
    }

    public static string ContentType(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".html" or ".htm" => "text/html; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".json" => "application/json",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".woff" => "font/woff",
        ".woff2" => "font/woff2",
        ".ttf" => "font/ttf",
        ".txt" or ".md" => "text/plain; charset=utf-8",
        ".wasm" => "application/wasm",
        ".oga" or ".ogg" => "audio/ogg",
        ".mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    };
}
