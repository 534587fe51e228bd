//! When a sync downloads the photos of the seller's other devices.

/// Data saver leaves other devices' photos for when the seller asks
/// (Sync now, `highland sync --photos`): neither desktop nor Android can be
/// trusted to say whether the link is metered, so the seller's setting and
/// the seller's request are all there is to go on.
pub fn fetch_other_devices_photos(data_saver: bool, seller_asked: bool) -> bool {
    !data_saver || seller_asked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_saver_fetches_photos_only_when_the_seller_asks() {
        assert!(fetch_other_devices_photos(false, false));
        assert!(!fetch_other_devices_photos(true, false));
        assert!(fetch_other_devices_photos(true, true));
    }
}
