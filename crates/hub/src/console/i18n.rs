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
    ("listing.sales", "Sales"),
    ("sale.sold_at", "Sold at"),
    ("sale.quantity", "Quantity"),
    ("sale.total", "Total"),
    ("sale.payment", "Payment"),
    ("sale.state", "State"),
    ("sale.voided", "Voided by the seller"),
    ("sale.counted", "Counted"),
    ("payment.cash", "Cash"),
    ("payment.wechat", "WeChat Pay"),
    ("payment.alipay", "Alipay"),
    ("payment.bank", "Bank transfer"),
    ("payment.other", "Other"),
    ("listing.lot", "Lot"),
    ("listing.photos", "Photos"),
    (
        "listing.photo_waiting",
        "Still uploading from the seller's device",
    ),
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
    ("devices.title", "Devices of"),
    (
        "devices.about",
        "A lost or stolen tablet can be revoked: its token stops working at once, and the seller's records stay. A tablet enrolled with a new device code pulls them all back.",
    ),
    ("devices.none", "No device has enrolled yet."),
    ("devices.id", "Device"),
    ("devices.enrolled", "Enrolled"),
    ("devices.last_sync", "Last sync"),
    ("devices.app", "App version"),
    ("devices.not_pulled", "Not pulled yet"),
    ("devices.state", "State"),
    ("devices.active", "active"),
    ("devices.revoked", "revoked"),
    ("devices.never", "never"),
    ("devices.revoke", "Revoke this device"),
    ("devices.back", "Back to the sellers"),
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
    ("nav.lots", "Lots"),
    ("lots.title", "Lots"),
    (
        "lots.none",
        "No lots yet: a village lot arrives with its seller's next sync.",
    ),
    ("lots.print", "Print"),
    ("lots.code", "Lot code"),
    ("lots.kind", "Kind"),
    ("lots.name", "Name"),
    ("lots.origin", "Village or product"),
    ("lots.date", "Date"),
    ("lots.labels", "Download label sheet (PDF)"),
    ("lots.label_one", "Download this lot's label (PDF)"),
    ("lots.choose", "Choose at least one lot to print."),
    (
        "lots.too_many",
        "Too many labels for one download: choose at most 240 lots.",
    ),
    (
        "lots.print_failed",
        "A label cannot be printed; shorten the product's name",
    ),
    (
        "lots.process",
        "Record processing: lots made into a product",
    ),
    (
        "lots.inputs_help",
        "One input lot a line: its code, \"=\" and the quantity used, such as K7QM-4XRP-Y2AB-C=20 kg.",
    ),
    ("lots.recorded", "Recorded"),
    ("lots.listings", "Listings"),
    ("lots.made", "Made on"),
    ("lots.public", "Public page"),
    ("lots.made_from", "Made from"),
    ("lots.made_into", "Made into"),
    ("lots.chain", "The chain"),
    ("lots.no_events", "Nothing recorded after the harvest yet."),
    ("lots.step", "Step"),
    ("lots.details", "Details"),
    ("lots.by", "Recorded by"),
    ("lots.certificate", "Certificate of compliance"),
    ("lots.record", "Record a step"),
    ("lots.back", "Back to lots"),
    ("lot_kind.harvest", "Village lot"),
    ("lot_kind.product", "Product lot"),
    ("step.received", "Received"),
    ("step.processed", "Processed"),
    ("step.inspected", "Inspected"),
    ("step.packed", "Packed"),
    ("step.shipped", "Shipped"),
    ("step_submit.received", "Record receiving"),
    ("step_submit.processed", "Record processing"),
    ("step_submit.inspected", "Record inspection"),
    ("step_submit.packed", "Record packing"),
    ("step_submit.shipped", "Record shipping"),
    ("result.passed", "passed"),
    ("result.failed", "failed"),
    ("step_field.step", "Step"),
    ("step_field.lot", "Lot"),
    ("step_field.quantity", "Quantity with its unit"),
    ("step_field.at", "Date"),
    ("step_field.place", "Place"),
    ("step_field.order", "Order id"),
    ("step_field.product", "Product name"),
    ("step_field.gtin", "GTIN (optional)"),
    ("step_field.inputs", "Input lots"),
    ("step_field.inspector", "Inspector"),
    ("step_field.certificate_number", "Certificate number"),
    ("step_field.result", "Result"),
    ("step_field.packaging", "Packaging"),
    ("step_field.to", "Shipped to"),
    ("step_field.event_id", "Form id"),
    ("step_field.recorded_by", "Recorded by"),
    ("error.missing_field", "This field is required."),
    ("error.bad_time", "Write the date as YYYY-MM-DD."),
    (
        "error.bad_input",
        "Write each input as the lot's code, \"=\" and the quantity used, such as K7QM-4XRP-Y2AB-C=20 kg.",
    ),
    ("error.unknown_lot", "The hub has no lot"),
    (
        "error.unknown_unit",
        "Write the quantity with a unit the hub knows: kg, jin, g, l, ml, or a count: jar, piece, bag.",
    ),
    (
        "error.unit_mismatch",
        "That unit does not fit: write the quantity in the lot's kind of unit.",
    ),
    ("error.not_whole", "This unit counts whole pieces."),
    (
        "error.too_precise",
        "That quantity is more precise than the unit allows.",
    ),
    (
        "error.control_character",
        "The text contains a character that cannot be printed.",
    ),
    ("error.invalid_id", "That is not a valid id."),
    (
        "error.invalid_code",
        "That is not a lot code: 13 letters and digits, as on the label.",
    ),
    (
        "error.code_mistyped",
        "One character of that lot code is wrong: check it against the label.",
    ),
    ("error.invalid_gtin", "A GTIN is 8, 12, 13 or 14 digits."),
    (
        "error.gtin_mistyped",
        "The GTIN's check digit is wrong: check it against the barcode.",
    ),
    (
        "error.inputs_repeat",
        "A lot is listed twice among the inputs.",
    ),
    ("error.no_inputs", "Name at least one input lot."),
    // The trainer's page on a workshop hub.
    ("nav.workshop", "Workshop"),
    ("workshop.title", "Workshop"),
    ("workshop.join", "Tablets join at"),
    ("workshop.projector", "Open the projector view"),
    ("workshop.network", "The class's network"),
    (
        "workshop.network.help",
        "Every tablet follows within a few seconds: its syncs go through a simulated link.",
    ),
    ("workshop.network.real", "Real network"),
    ("workshop.network.offline", "Offline"),
    ("workshop.network.mountain_2g", "Mountain 2G"),
    ("workshop.network.3g", "3G"),
    ("workshop.network.good", "Good signal"),
    ("workshop.trainees", "Trainees"),
    ("workshop.trainee", "Trainee"),
    ("workshop.devices", "Tablets"),
    ("workshop.last_sync", "Last sync"),
    ("workshop.never", "not yet"),
    ("workshop.ago.s", "{n} s ago"),
    ("workshop.ago.min", "{n} min ago"),
    ("workshop.ago.h", "{n} h ago"),
    (
        "workshop.cards.print",
        "New cards for trainees not yet joined",
    ),
    (
        "workshop.cards.help",
        "Each card has a new code; earlier cards of the same trainees keep working until used.",
    ),
    ("workshop.cards.title", "Trainees' cards"),
    ("workshop.cards.none", "Every trainee's tablet has joined."),
    ("workshop.back", "Back to the workshop"),
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
    ("listing.sales", "销售记录"),
    ("sale.sold_at", "售出时间"),
    ("sale.quantity", "数量"),
    ("sale.total", "金额"),
    ("sale.payment", "付款方式"),
    ("sale.state", "状态"),
    ("sale.voided", "卖家已作废"),
    ("sale.counted", "已计入"),
    ("payment.cash", "现金"),
    ("payment.wechat", "微信支付"),
    ("payment.alipay", "支付宝"),
    ("payment.bank", "银行转账"),
    ("payment.other", "其他"),
    ("listing.lot", "批次"),
    ("listing.photos", "照片"),
    ("listing.photo_waiting", "仍在从卖家设备上传"),
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
    ("devices.title", "设备："),
    (
        "devices.about",
        "丢失或被盗的平板可以停用：它的令牌立即失效，卖家的记录都保留。用新设备码登记的平板会取回全部记录。",
    ),
    ("devices.none", "还没有设备登记。"),
    ("devices.id", "设备"),
    ("devices.enrolled", "登记时间"),
    ("devices.last_sync", "最近同步"),
    ("devices.app", "应用版本"),
    ("devices.not_pulled", "尚未取回"),
    ("devices.state", "状态"),
    ("devices.active", "使用中"),
    ("devices.revoked", "已停用"),
    ("devices.never", "从未"),
    ("devices.revoke", "停用此设备"),
    ("devices.back", "返回卖家列表"),
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
    ("nav.lots", "批次"),
    ("lots.title", "批次"),
    ("lots.none", "还没有批次：村民的批次会在其下次同步时到达。"),
    ("lots.print", "打印"),
    ("lots.code", "批次码"),
    ("lots.kind", "类型"),
    ("lots.name", "名称"),
    ("lots.origin", "村庄或产品"),
    ("lots.date", "日期"),
    ("lots.labels", "下载标签页（PDF）"),
    ("lots.label_one", "下载本批次标签（PDF）"),
    ("lots.choose", "请至少选择一个要打印的批次。"),
    ("lots.too_many", "一次下载的标签过多：最多选择 240 个批次。"),
    ("lots.print_failed", "有标签无法打印，请缩短产品名称"),
    ("lots.process", "记录加工：原料批次制成产品"),
    (
        "lots.inputs_help",
        "每行一个原料批次：批次码、“=”和用量，例如 K7QM-4XRP-Y2AB-C=20 kg。",
    ),
    ("lots.recorded", "记录时间"),
    ("lots.listings", "商品"),
    ("lots.made", "生产日期"),
    ("lots.public", "公开页面"),
    ("lots.made_from", "原料批次"),
    ("lots.made_into", "制成产品"),
    ("lots.chain", "溯源链"),
    ("lots.no_events", "采收后尚无记录。"),
    ("lots.step", "环节"),
    ("lots.details", "详情"),
    ("lots.by", "记录人"),
    ("lots.certificate", "承诺达标合格证"),
    ("lots.record", "记录环节"),
    ("lots.back", "返回批次列表"),
    ("lot_kind.harvest", "村民批次"),
    ("lot_kind.product", "加工批次"),
    ("step.received", "收购"),
    ("step.processed", "加工"),
    ("step.inspected", "检验检疫"),
    ("step.packed", "包装"),
    ("step.shipped", "发货"),
    ("step_submit.received", "记录收购"),
    ("step_submit.processed", "记录加工"),
    ("step_submit.inspected", "记录检验"),
    ("step_submit.packed", "记录包装"),
    ("step_submit.shipped", "记录发货"),
    ("result.passed", "合格"),
    ("result.failed", "不合格"),
    ("step_field.step", "环节"),
    ("step_field.lot", "批次"),
    ("step_field.quantity", "数量（含单位）"),
    ("step_field.at", "日期"),
    ("step_field.place", "地点"),
    ("step_field.order", "订单编号"),
    ("step_field.product", "产品名称"),
    ("step_field.gtin", "商品条码（可选）"),
    ("step_field.inputs", "原料批次"),
    ("step_field.inspector", "检验机构"),
    ("step_field.certificate_number", "证书编号"),
    ("step_field.result", "结果"),
    ("step_field.packaging", "包装规格"),
    ("step_field.to", "发往"),
    ("step_field.event_id", "表单编号"),
    ("step_field.recorded_by", "记录人"),
    ("error.missing_field", "此项必填。"),
    ("error.bad_time", "日期请写成 YYYY-MM-DD。"),
    (
        "error.bad_input",
        "每个原料请写成批次码、“=”和用量，例如 K7QM-4XRP-Y2AB-C=20 kg。",
    ),
    ("error.unknown_lot", "中心没有批次"),
    (
        "error.unknown_unit",
        "请写上中心认识的单位：kg、jin（斤）、g、l、ml，或 jar、piece、bag 这样的计数单位。",
    ),
    ("error.unit_mismatch", "单位不符：请用该批次同类的单位。"),
    ("error.not_whole", "此单位只能计整数。"),
    ("error.too_precise", "数量的精度超出了此单位允许的范围。"),
    ("error.control_character", "文字中有无法打印的字符。"),
    ("error.invalid_id", "编号无效。"),
    (
        "error.invalid_code",
        "这不是批次码：应为标签上的 13 个字母和数字。",
    ),
    (
        "error.code_mistyped",
        "批次码有一个字符不对，请对照标签核对。",
    ),
    (
        "error.invalid_gtin",
        "商品条码应为 8、12、13 或 14 位数字。",
    ),
    (
        "error.gtin_mistyped",
        "商品条码的校验位不对，请对照条形码核对。",
    ),
    ("error.inputs_repeat", "原料中有批次重复。"),
    ("error.no_inputs", "请至少填写一个原料批次。"),
    // 工作坊的培训师页面。
    ("nav.workshop", "工作坊"),
    ("workshop.title", "工作坊"),
    ("workshop.join", "平板连接地址"),
    ("workshop.projector", "打开投影页面"),
    ("workshop.network", "全班网络"),
    (
        "workshop.network.help",
        "每台平板几秒内跟随切换：同步经过模拟的网络。",
    ),
    ("workshop.network.real", "真实网络"),
    ("workshop.network.offline", "断网"),
    ("workshop.network.mountain_2g", "山区 2G"),
    ("workshop.network.3g", "3G"),
    ("workshop.network.good", "信号好"),
    ("workshop.trainees", "学员"),
    ("workshop.trainee", "学员"),
    ("workshop.devices", "平板"),
    ("workshop.last_sync", "最近同步"),
    ("workshop.never", "尚未同步"),
    ("workshop.ago.s", "{n} 秒前"),
    ("workshop.ago.min", "{n} 分钟前"),
    ("workshop.ago.h", "{n} 小时前"),
    ("workshop.cards.print", "为尚未加入的学员打印新卡片"),
    (
        "workshop.cards.help",
        "每张卡片都有新的码；同一学员之前的卡片在使用前仍然有效。",
    ),
    ("workshop.cards.title", "学员卡片"),
    ("workshop.cards.none", "每位学员的平板都已加入。"),
    ("workshop.back", "返回工作坊"),
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
