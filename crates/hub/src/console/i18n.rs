//! The console's words, in English and Chinese. A page asks for a string by
//! key ([`Lang::t`]); both tables must hold every key, which a test checks,
//! so a missing translation fails the build's tests rather than showing a
//! key on a page.
//!
//! The language comes from `?lang=` (which also sets the `lang` cookie),
//! then the `lang` cookie, then the browser's `Accept-Language`, then
//! Chinese, the language of most of the buyer's staff.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Zh,
    En,
}

impl Lang {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch in the header.
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The first of the browser's languages that the console speaks, by
    /// preference (`q`), else Chinese.
    pub(crate) fn from_accept_language(header: Option<&str>) -> Lang {
        crate::http::preferred_language(header, Lang::parse).unwrap_or(Lang::Zh)
    }

    /// The string for `key`; the key itself if the table lacks it.
    pub(crate) fn t(self, key: &str) -> &str {
        self.lookup(key).unwrap_or(key)
    }

    /// The words for one of the domain's choices (`state`, `placed`); the
    /// slug itself if there are none.
    pub(crate) fn choice<'a>(self, kind: &str, slug: &'a str) -> &'a str {
        self.lookup(&format!("{kind}.{slug}")).unwrap_or(slug)
    }

    fn lookup(self, key: &str) -> Option<&'static str> {
        let table = match self {
            Lang::Zh => ZH,
            Lang::En => EN,
        };
        table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

const EN: &[(&str, &str)] = &[
    ("app.name", "Highland console"),
    ("lang.switch", "中文"),
    ("nav.listings", "Listings"),
    ("nav.sellers", "Sellers"),
    ("nav.orders", "Orders"),
    ("nav.logout", "Sign out"),
    ("login.title", "Sign in"),
    ("login.name", "Name"),
    ("login.token", "Staff token"),
    ("login.submit", "Sign in"),
    (
        "login.refused",
        "That name and token do not match a member of staff.",
    ),
    (
        "login.throttled",
        "Too many failed sign-ins. Wait a few minutes and try again.",
    ),
    ("listings.title", "Listings"),
    ("listings.village", "Village"),
    ("listings.category", "Category"),
    ("listings.status", "Status"),
    ("listings.any", "Any"),
    ("listings.filter", "Filter"),
    ("listings.none", "No listings match."),
    ("listings.next", "Next page"),
    ("listings.first", "First page"),
    ("listing.title", "Title"),
    ("listing.seller", "Seller"),
    ("listing.price", "Price"),
    ("listing.stock", "Available"),
    ("listing.reserved", "Reserved for orders"),
    ("listing.sold", "Sold"),
    ("listing.lot", "Lot"),
    ("listing.altitude", "Altitude"),
    ("listing.harvested", "Harvested"),
    ("listing.environment", "Environment"),
    ("listing.no_lot", "No lot recorded."),
    ("listing.description", "Description"),
    ("order.new", "Place an order"),
    ("order.quantity", "Quantity"),
    ("order.price_per", "Price per unit (yuan)"),
    ("order.hand_over_by", "Hand over by"),
    ("order.note", "Note for the seller"),
    ("order.place", "Place order"),
    ("sellers.title", "Sellers"),
    ("sellers.name", "Name"),
    ("sellers.village", "Village"),
    ("sellers.phone", "Phone"),
    ("sellers.devices", "Devices"),
    ("sellers.listings", "Listings"),
    ("sellers.added", "Added"),
    ("sellers.add", "Add a seller"),
    ("sellers.add_submit", "Add seller"),
    ("sellers.new_code", "New device code"),
    ("sellers.none", "No sellers yet."),
    ("code.title", "Enrollment code"),
    (
        "code.help",
        "Scan this code with the Highland app on the seller's phone, or type it in. It works once.",
    ),
    ("code.expires", "Works until"),
    ("code.back", "Back to sellers"),
    ("orders.title", "Orders"),
    ("orders.all", "All"),
    ("orders.none", "No orders here."),
    ("orders.placed_at", "Placed"),
    ("orders.state", "State"),
    ("orders.total", "Total"),
    ("orders.detail", "Details"),
    ("order.title", "Order"),
    ("order.listing", "Listing"),
    ("order.received", "Received"),
    ("order.paid", "Paid"),
    ("order.reason", "Reason"),
    ("order.history", "History"),
    ("order.actions", "Actions"),
    ("order.no_actions", "Nothing for staff to do now."),
    ("action.hand-over", "Record hand-over"),
    ("action.receive", "Record receipt"),
    ("action.pay", "Record payment"),
    ("action.cancel", "Cancel order"),
    ("field.received_quantity", "Quantity received"),
    ("field.amount", "Amount (yuan)"),
    ("field.method", "Method"),
    ("field.reason", "Reason"),
    ("actor.seller", "seller"),
    ("actor.staff", "staff"),
    ("state.placed", "placed"),
    ("state.accepted", "accepted"),
    ("state.declined", "declined"),
    ("state.handed-over", "handed over"),
    ("state.received", "received"),
    ("state.paid", "paid"),
    ("state.cancelled", "cancelled"),
    ("status.draft", "draft"),
    ("status.listed", "listed"),
    ("status.sold-out", "sold out"),
    ("status.archived", "archived"),
    ("category.yak-meat", "Yak meat"),
    ("category.yak-butter", "Yak butter"),
    ("category.yak-cheese", "Yak cheese"),
    ("category.honey", "Honey"),
    ("category.matsutake", "Matsutake"),
    ("category.other-mushrooms", "Other mushrooms"),
    ("category.cordyceps", "Cordyceps"),
    ("category.highland-barley", "Highland barley"),
    ("category.walnuts", "Walnuts"),
    ("category.medicinal-herbs", "Medicinal herbs"),
    ("category.handicrafts", "Handicrafts"),
    ("category.other", "Other"),
    ("method.cash", "Cash"),
    ("method.wechat", "WeChat Pay"),
    ("method.alipay", "Alipay"),
    ("method.bank", "Bank transfer"),
    ("method.other", "Other"),
    ("error.title", "Something went wrong"),
    (
        "error.csrf",
        "This form has expired or did not come from this console. Go back, reload the page and try again.",
    ),
    (
        "error.cross_site",
        "This request came from another site and was refused.",
    ),
    ("error.not_found", "There is nothing here."),
    (
        "error.rate_limited",
        "Too many requests. Wait a moment and try again.",
    ),
    (
        "error.internal",
        "The hub failed to do this. Try again; if it keeps failing, tell the operator.",
    ),
    ("error.back", "Back to the console"),
    (
        "error.invalid_quantity",
        "The quantity is not a number in this unit.",
    ),
    ("error.not_positive", "The amount must be more than zero."),
    ("error.invalid_money", "Write yuan like 68, 68.5 or 68.50."),
    ("error.too_large", "That amount is too large."),
    ("error.too_long", "That text is too long."),
    ("error.empty", "This field is required."),
    ("error.invalid_date", "Write the date as YYYY-MM-DD."),
    ("error.unknown_choice", "Choose one of the options."),
    (
        "error.order_transition_refused",
        "The order's state does not allow this now.",
    ),
    (
        "error.seller_only",
        "Only the seller can do this, from their device.",
    ),
    (
        "error.listing_not_open",
        "This listing takes no orders: it is a draft or archived.",
    ),
    ("error.unknown_listing", "There is no such listing."),
    ("error.unknown_order", "There is no such order."),
    ("error.unknown_seller", "There is no such seller."),
    ("error.refused", "Refused"),
];

const ZH: &[(&str, &str)] = &[
    ("app.name", "高原收购台"),
    ("lang.switch", "English"),
    ("nav.listings", "商品"),
    ("nav.sellers", "卖家"),
    ("nav.orders", "订单"),
    ("nav.logout", "退出"),
    ("login.title", "登录"),
    ("login.name", "姓名"),
    ("login.token", "员工令牌"),
    ("login.submit", "登录"),
    ("login.refused", "姓名与令牌不匹配任何员工。"),
    ("login.throttled", "登录失败次数过多，请几分钟后再试。"),
    ("listings.title", "商品"),
    ("listings.village", "村庄"),
    ("listings.category", "类别"),
    ("listings.status", "状态"),
    ("listings.any", "全部"),
    ("listings.filter", "筛选"),
    ("listings.none", "没有符合条件的商品。"),
    ("listings.next", "下一页"),
    ("listings.first", "第一页"),
    ("listing.title", "名称"),
    ("listing.seller", "卖家"),
    ("listing.price", "价格"),
    ("listing.stock", "可售"),
    ("listing.reserved", "订单预留"),
    ("listing.sold", "已售"),
    ("listing.lot", "批次"),
    ("listing.altitude", "海拔"),
    ("listing.harvested", "采收日期"),
    ("listing.environment", "生长环境"),
    ("listing.no_lot", "未记录批次。"),
    ("listing.description", "描述"),
    ("order.new", "下订单"),
    ("order.quantity", "数量"),
    ("order.price_per", "单价（元）"),
    ("order.hand_over_by", "交货日期"),
    ("order.note", "给卖家的备注"),
    ("order.place", "下单"),
    ("sellers.title", "卖家"),
    ("sellers.name", "姓名"),
    ("sellers.village", "村庄"),
    ("sellers.phone", "电话"),
    ("sellers.devices", "设备"),
    ("sellers.listings", "商品"),
    ("sellers.added", "加入时间"),
    ("sellers.add", "添加卖家"),
    ("sellers.add_submit", "添加"),
    ("sellers.new_code", "新设备码"),
    ("sellers.none", "还没有卖家。"),
    ("code.title", "注册码"),
    (
        "code.help",
        "用卖家手机上的高原应用扫描此码，或手动输入。仅可使用一次。",
    ),
    ("code.expires", "有效期至"),
    ("code.back", "返回卖家列表"),
    ("orders.title", "订单"),
    ("orders.all", "全部"),
    ("orders.none", "这里没有订单。"),
    ("orders.placed_at", "下单时间"),
    ("orders.state", "状态"),
    ("orders.total", "总价"),
    ("orders.detail", "详情"),
    ("order.title", "订单"),
    ("order.listing", "商品"),
    ("order.received", "已收数量"),
    ("order.paid", "已付"),
    ("order.reason", "原因"),
    ("order.history", "记录"),
    ("order.actions", "操作"),
    ("order.no_actions", "目前没有需要员工处理的操作。"),
    ("action.hand-over", "记录交货"),
    ("action.receive", "记录收货"),
    ("action.pay", "记录付款"),
    ("action.cancel", "取消订单"),
    ("field.received_quantity", "实收数量"),
    ("field.amount", "金额（元）"),
    ("field.method", "方式"),
    ("field.reason", "原因"),
    ("actor.seller", "卖家"),
    ("actor.staff", "员工"),
    ("state.placed", "已下单"),
    ("state.accepted", "已接受"),
    ("state.declined", "已拒绝"),
    ("state.handed-over", "已交货"),
    ("state.received", "已收货"),
    ("state.paid", "已付款"),
    ("state.cancelled", "已取消"),
    ("status.draft", "草稿"),
    ("status.listed", "在售"),
    ("status.sold-out", "售罄"),
    ("status.archived", "已下架"),
    ("category.yak-meat", "牦牛肉"),
    ("category.yak-butter", "酥油"),
    ("category.yak-cheese", "牦牛奶酪"),
    ("category.honey", "蜂蜜"),
    ("category.matsutake", "松茸"),
    ("category.other-mushrooms", "其他菌类"),
    ("category.cordyceps", "虫草"),
    ("category.highland-barley", "青稞"),
    ("category.walnuts", "核桃"),
    ("category.medicinal-herbs", "药材"),
    ("category.handicrafts", "手工艺品"),
    ("category.other", "其他"),
    ("method.cash", "现金"),
    ("method.wechat", "微信支付"),
    ("method.alipay", "支付宝"),
    ("method.bank", "银行转账"),
    ("method.other", "其他"),
    ("error.title", "出错了"),
    (
        "error.csrf",
        "此表单已过期或并非来自本控制台。请返回、刷新页面后重试。",
    ),
    ("error.cross_site", "此请求来自其他网站，已被拒绝。"),
    ("error.not_found", "这里什么都没有。"),
    ("error.rate_limited", "请求过多，请稍后再试。"),
    (
        "error.internal",
        "中心未能完成此操作。请重试；如果一直失败，请告知管理员。",
    ),
    ("error.back", "返回控制台"),
    ("error.invalid_quantity", "数量不是此单位下的有效数字。"),
    ("error.not_positive", "数量或金额必须大于零。"),
    (
        "error.invalid_money",
        "金额请写成 68、68.5 或 68.50 这样的形式。",
    ),
    ("error.too_large", "数额过大。"),
    ("error.too_long", "文字过长。"),
    ("error.empty", "此项必填。"),
    ("error.invalid_date", "日期请写成 YYYY-MM-DD。"),
    ("error.unknown_choice", "请从选项中选择。"),
    (
        "error.order_transition_refused",
        "订单当前的状态不允许此操作。",
    ),
    (
        "error.seller_only",
        "只有卖家可以在自己的设备上进行此操作。",
    ),
    (
        "error.listing_not_open",
        "此商品不接受订单：它是草稿或已下架。",
    ),
    ("error.unknown_listing", "没有这个商品。"),
    ("error.unknown_order", "没有这个订单。"),
    ("error.unknown_seller", "没有这个卖家。"),
    ("error.refused", "已拒绝"),
];

/// The message for an error code (such as `not_positive`), if the console
/// has words for it.
pub(crate) fn error_key(code: &str) -> Option<&'static str> {
    EN.iter()
        .map(|(k, _)| *k)
        .find(|k| k.strip_prefix("error.") == Some(code))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(table: &[(&'static str, &str)]) -> BTreeSet<&'static str> {
        let keys: BTreeSet<_> = table.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), table.len(), "a key appears twice");
        keys
    }

    #[test]
    fn both_languages_have_every_key() {
        let (en, zh) = (keys(EN), keys(ZH));
        assert_eq!(
            en.difference(&zh).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "missing in zh"
        );
        assert_eq!(
            zh.difference(&en).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "missing in en"
        );
        for (k, v) in EN.iter().chain(ZH) {
            assert!(!v.trim().is_empty(), "{k} is empty");
        }
    }

    #[test]
    fn every_domain_choice_has_words() {
        use highland_domain::{Category, ListingStatus, OrderState, PaymentMethod};
        let needed = Category::ALL
            .iter()
            .map(|c| format!("category.{}", c.slug()))
            .chain(
                ListingStatus::ALL
                    .iter()
                    .map(|s| format!("status.{}", s.slug())),
            )
            .chain(
                OrderState::ALL
                    .iter()
                    .map(|s| format!("state.{}", s.slug())),
            )
            .chain(
                PaymentMethod::ALL
                    .iter()
                    .map(|m| format!("method.{}", m.slug())),
            );
        let en = keys(EN);
        for key in needed {
            assert!(en.contains(key.as_str()), "{key}");
        }
    }

    #[test]
    fn the_language_follows_the_browser_by_preference_else_chinese() {
        let pick = |h| Lang::from_accept_language(Some(h));
        assert_eq!(pick("en-US,en;q=0.9"), Lang::En);
        assert_eq!(pick("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(pick("fr;q=1.0, en;q=0.5, zh;q=0.7"), Lang::Zh);
        assert_eq!(pick("bo"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(None), Lang::Zh);
    }
}
