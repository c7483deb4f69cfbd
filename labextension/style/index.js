import './base.css';
import './children.css';
