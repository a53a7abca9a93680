/// Which images answer requests. A bad deploy in a drill is an image whose tag contains
/// `broken` (`monzo/transaction-processor:2017.10.27-broken`): its containers start and pass
/// their readiness checks, then fail every request, as a release with a bad change does.
/// (A tag `bad` fails to pull and `crash` crash-loops: see `ContainerImageCatalog`.)
public enum ServingImages {
    public static func servesRequests(_ image: String) -> Bool {
        !ContainerImageCatalog.split(image).tag.contains("broken")
    }
}
