using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.S3;

/// <summary>
/// Turns what the SDK throws into a <see cref="RemoteException"/> (an IOException, so the engine records it as the
/// object's read error) with a message that names the object and S3's error code, and the kind of failure a
/// listing reports. Service messages are passed through <see cref="S3Secrets.Redact"/>: no key ever reaches output.
/// </summary>
internal static class S3Failure
{
    /// <summary>The exception to throw for <paramref name="error"/> while working on <paramref name="where"/>.</summary>
    public static RemoteException From(Exception error, string where, S3Secrets secrets, TimeSpan timeout)
    {
        switch (error)
        {
            case AmazonS3Exception s3:
                string code = s3.ErrorCode ?? ((int)s3.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                string detail = code switch
                {
                    "NoSuchBucket" => "the bucket does not exist",
                    "NoSuchKey" => "the object does not exist",
                    "AccessDenied" or "AllAccessDisabled" => "access denied" + secrets.AnonymousNote,
                    "InvalidAccessKeyId" => "the access key id is not known to the store",
                    "SignatureDoesNotMatch" => "the secret access key does not match the access key id",
                    "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired" => "the session token expired or is not valid",
                    "PreconditionFailed" => "the object changed after it was listed (its ETag no longer matches)",
                    "PermanentRedirect" or "AuthorizationHeaderMalformed" => "the bucket is in another region; pass -Region or set AWS_REGION",
                    _ => secrets.Redact(s3.Message),
                };
                return new RemoteException(s3.StatusCode, $"{where}: {detail} ({(int)s3.StatusCode} {code}).");
            case AmazonServiceException service when service.StatusCode != 0:
                return new RemoteException(service.StatusCode, $"{where}: {secrets.Redact(service.Message)} ({(int)service.StatusCode}).");
            case OperationCanceledException:
            case TimeoutException:
                return new RemoteException(HttpStatusCode.RequestTimeout, $"{where}: no answer within {timeout.TotalSeconds:0} seconds (timeout).");
            case HttpRequestException or IOException or AmazonClientException when error.InnerException is TimeoutException or OperationCanceledException:
                return new RemoteException(HttpStatusCode.RequestTimeout, $"{where}: no answer within {timeout.TotalSeconds:0} seconds (timeout).");
            case HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded }:
                return new RemoteException(null, $"{where}: the body ended before the length the store announced (truncated download).");
            case HttpRequestException http:
                return new RemoteException(null, $"{where}: the store could not be reached ({secrets.Redact(http.Message)}).");
            default:
                return new RemoteException(null, $"{where}: {secrets.Redact(error.Message)}");
        }
    }

    /// <summary>What a listing failure is, for the error id the cmdlet writes.</summary>
    public static SourceEventKind KindOf(RemoteException error) => error.Status switch
    {
        HttpStatusCode.NotFound => SourceEventKind.RemoteNotFound,
        HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => SourceEventKind.RemoteAccessDenied,
        _ => SourceEventKind.Unreadable,
    };
}
