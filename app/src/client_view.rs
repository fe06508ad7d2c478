//! A type-erased view that only the browser renders.
//!
//! Most of a signed-in page exists only after the person unlocks their vault in
//! the browser: the server renders the unlock panel, never the members table.
//! Erasing such a subtree with [`IntoAny::into_any`] would still compile, for
//! every view shape inside it, the two hydration paths of the renderer (from
//! the server's HTML, and the asynchronous one lazily loaded routes use) beside
//! the build and update paths — about half of a page's wasm for code that can
//! never run. A [`ClientView`] keeps only building and updating: on the server
//! it renders as an empty placeholder (`<!>`), and when hydration reaches that
//! placeholder the browser builds the view in front of it.

use leptos::tachys::html::attribute::{Attribute, any_attribute::AnyAttribute};
use leptos::tachys::hydration::Cursor;
use leptos::tachys::renderer::{Rndr, types};
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};
use std::any::{Any, TypeId};
use std::future::Future;
use std::pin::Pin;

trait AnyMountable: Mountable + Any {}
impl<T: Mountable + Any> AnyMountable for T {}

#[cfg(not(feature = "ssr"))]
type Value = Box<dyn Any + Send>;

/// A view rendered only in the browser; see the module documentation.
pub struct ClientView {
    type_id: TypeId,
    #[cfg(not(feature = "ssr"))]
    value: Value,
    #[cfg(not(feature = "ssr"))]
    build: fn(Value) -> Box<dyn AnyMountable>,
    #[cfg(not(feature = "ssr"))]
    rebuild: fn(Value, &mut dyn AnyMountable),
}

/// The mounted state of a [`ClientView`]: the view's own state, followed by a
/// placeholder that marks where a view of another type goes on an update.
pub struct ClientViewState {
    type_id: TypeId,
    state: Box<dyn AnyMountable>,
    placeholder: types::Placeholder,
}

/// Erases a view into a [`ClientView`].
pub trait IntoClientView {
    fn into_client(self) -> ClientView;
}

impl<T> IntoClientView for T
where
    T: Render + Send + 'static,
    T::State: 'static,
{
    #[cfg(feature = "ssr")]
    fn into_client(self) -> ClientView {
        ClientView { type_id: TypeId::of::<T>() }
    }

    #[cfg(not(feature = "ssr"))]
    fn into_client(self) -> ClientView {
        fn build<T: Render + 'static>(v: Value) -> Box<dyn AnyMountable>
        where
            T::State: 'static,
        {
            let v = v.downcast::<T>().unwrap_or_else(|_| unreachable!("a ClientView holds the type it was made of"));
            Box::new(v.build())
        }
        fn rebuild<T: Render + 'static>(v: Value, state: &mut dyn AnyMountable)
        where
            T::State: 'static,
        {
            let v = v.downcast::<T>().unwrap_or_else(|_| unreachable!("a ClientView holds the type it was made of"));
            let state: &mut dyn Any = state;
            if let Some(state) = state.downcast_mut::<T::State>() {
                v.rebuild(state);
            }
        }
        ClientView { type_id: TypeId::of::<T>(), value: Box::new(self), build: build::<T>, rebuild: rebuild::<T> }
    }
}

/// The body of a page that only the browser renders, loaded on demand: a
/// `#[lazy]` function (its own wasm chunk in a `--split` build) returning a
/// [`ClientView`], boxed so that a page shell can take any page's body.
pub type LazyView = Pin<Box<dyn Future<Output = ClientView> + Send>>;

/// Boxes a lazily loaded body. (In the browser the loader's future is not
/// `Send`; the browser has one thread, so it is wrapped to say so.)
#[cfg(feature = "hydrate")]
pub fn lazy_view(f: impl Future<Output = ClientView> + 'static) -> LazyView {
    Box::pin(send_wrapper::SendWrapper::new(f))
}

#[cfg(not(feature = "hydrate"))]
pub fn lazy_view(f: impl Future<Output = ClientView> + Send + 'static) -> LazyView {
    Box::pin(f)
}

impl ClientView {
    fn build_state(self) -> Box<dyn AnyMountable> {
        #[cfg(not(feature = "ssr"))]
        {
            (self.build)(self.value)
        }
        #[cfg(feature = "ssr")]
        {
            Box::new(())
        }
    }
}

impl Render for ClientView {
    type State = ClientViewState;

    fn build(self) -> ClientViewState {
        let type_id = self.type_id;
        ClientViewState { type_id, state: self.build_state(), placeholder: Rndr::create_placeholder() }
    }

    fn rebuild(self, state: &mut ClientViewState) {
        if self.type_id == state.type_id {
            #[cfg(not(feature = "ssr"))]
            (self.rebuild)(self.value, &mut *state.state);
        } else {
            let type_id = self.type_id;
            let mut new = self.build_state();
            state.placeholder.insert_before_this(&mut *new);
            state.state.unmount();
            state.state = new;
            state.type_id = type_id;
        }
    }
}

impl Mountable for ClientViewState {
    fn unmount(&mut self) {
        self.state.unmount();
        self.placeholder.unmount();
    }

    fn mount(&mut self, parent: &types::Element, marker: Option<&types::Node>) {
        self.state.mount(parent, marker);
        self.placeholder.mount(parent, marker);
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        self.state.insert_before_this(child) || self.placeholder.insert_before_this(child)
    }

    fn elements(&self) -> Vec<types::Element> {
        self.state.elements()
    }
}

impl AddAnyAttr for ClientView {
    type Output<SomeNewAttr: Attribute> = ClientView;

    fn add_any_attr<NewAttr: Attribute>(self, _attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        self
    }
}

impl RenderHtml for ClientView {
    type AsyncOutput = ClientView;
    type Owned = ClientView;

    const MIN_LENGTH: usize = 3;

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> ClientView {
        self
    }

    fn to_html_with_buf(self, buf: &mut String, position: &mut Position, _escape: bool, _mark_branches: bool, _extra_attrs: Vec<AnyAttribute>) {
        buf.push_str("<!>");
        *position = Position::NextChild;
    }

    fn hydrate<const FROM_SERVER: bool>(self, cursor: &Cursor, position: &PositionState) -> ClientViewState {
        let placeholder = cursor.next_placeholder(position);
        position.set(Position::NextChild);
        let type_id = self.type_id;
        let mut state = self.build_state();
        placeholder.insert_before_this(&mut *state);
        ClientViewState { type_id, state, placeholder }
    }

    fn into_owned(self) -> ClientView {
        self
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use leptos::prelude::*;

    #[test]
    fn the_server_renders_a_placeholder_not_the_view() {
        let owner = Owner::new();
        owner.with(|| {
            let html = view! { <p class="secret">"Unlocked content"</p> }.into_client().to_html();
            assert_eq!(html, "<!>");
            let around = view! { <div>"before" {view! { <p>"x"</p> }.into_client()} "after"</div> }.to_html();
            assert!(around.starts_with("<div>before"), "{around}");
            assert!(around.contains("<!>"), "{around}");
            assert!(!around.contains("<p>"), "{around}");
        });
    }
}
