//! The buyer's staff API under `/v1`: thin handlers over [`crate::Storage`]
//! and the rules in [`crate::catalog`] and [`highland_exchange::orders`]. Every route
//! takes [`super::staff::StaffAuth`].

mod catalog;
mod epcis;
mod orders;
mod params;
mod rounds;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalog::listings))
        .routes(routes!(catalog::listing))
        .routes(routes!(catalog::sellers))
        .routes(routes!(orders::place, orders::list))
        .routes(routes!(orders::one))
        .routes(routes!(orders::hand_over))
        .routes(routes!(orders::receipt))
        .routes(routes!(orders::payment))
        .routes(routes!(orders::cancellation))
        .routes(routes!(rounds::create, rounds::list))
        .routes(routes!(rounds::one, rounds::edit))
        .routes(routes!(rounds::move_to))
        .routes(routes!(rounds::cost))
        .routes(routes!(rounds::loads))
        .routes(routes!(rounds::costs))
        .routes(routes!(rounds::route, rounds::unroute))
        .routes(routes!(rounds::weigh))
        .routes(routes!(epcis::events))
}
